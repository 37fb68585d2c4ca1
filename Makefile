# Thin wrappers over Nx and docker compose. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# No Nx daemon here: plugins in-process and the local binary save tens of seconds per command.
export NX_ISOLATE_PLUGINS ?= false
export NX_DAEMON ?= false
export NX_NO_CLOUD ?= true
NX := ./node_modules/.bin/nx

# Installs dependencies when node_modules is missing or older than the lock file.
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: help install build serve test lint typecheck bench replay docker-build up down logs

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-13s %s\n", $$1, $$2}'

install: node_modules/.installed ## Install dependencies (npm ci) if needed

build: install ## Build every project
	$(NX) run-many -t build

serve: install ## Run projector-rel on http://localhost:8000 (embedded PostgreSQL unless PROJECTOR_DATABASE_URL is set)
	$(NX) serve projector-rel

test: install ## Every test, on a real PostgreSQL found or started by the tests themselves
	$(NX) run-many -t test --output-style=stream

lint: install ## Lint every project
	$(NX) run-many -t lint

typecheck: install ## Typecheck every project
	$(NX) run-many -t typecheck

bench: install ## Benchmark projector-rel against raw PostgreSQL; prints a table, writes bench/results/ (ARGS="--quick")
	$(NX) run bench:run $(if $(ARGS),-- $(ARGS))

replay: install ## Replay the log and compare state hashes: make replay ARGS="--all"
	$(NX) run projector-rel:replay -- $(ARGS)

docker-build: ## Build the images of the three projectors (needs a Docker engine)
	docker compose build

up: ## Start PostgreSQL and the three projectors with docker compose
	docker compose up -d --wait

down: ## Stop the compose stack
	docker compose down

logs: ## Follow the compose logs
	docker compose logs -f
