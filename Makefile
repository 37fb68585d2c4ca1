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

.PHONY: help install build serve demo psql test lint typecheck bench replay image image-test docker-build up down logs

PORT ?= 8000
SERVICE ?= projector-rel

# docker compose targets: say what is missing (one line, exit 1) rather than a docker usage error.
define need-compose
	@command -v docker >/dev/null 2>&1 || { echo "make $@: no docker command: install a Docker engine (https://docs.docker.com/engine/install/)" >&2; exit 1; }
	@docker compose version >/dev/null 2>&1 || { echo "make $@: Docker Compose v2 is missing (\`docker compose\` fails): install the docker-compose-plugin package" >&2; exit 1; }
	@docker info >/dev/null 2>&1 || { echo "make $@: the Docker engine does not answer (is dockerd running, and may you use it?)" >&2; exit 1; }
endef

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-13s %s\n", $$1, $$2}'

install: node_modules/.installed ## Install dependencies (npm ci) if needed

build: install ## Build every project
	$(NX) run-many -t build

# The build through Nx, then the process itself (exec): Ctrl-C reaches it directly (graceful stop,
# then the embedded PostgreSQL's), and its exit code is make's.
serve: install ## Run projector-rel on http://localhost:8000 (embedded PostgreSQL in .data/ unless PROJECTOR_DATABASE_URL is set); exits 1 when it cannot start
	$(NX) run projector-rel:build
	cd apps/projector-rel && PROJECTOR_DATABASE_URL="$${PROJECTOR_DATABASE_URL:-embedded}" exec node dist/main.js

demo: install ## With make serve running: write a small stream to its event log and push it (then: make replay ARGS=--all)
	$(NX) run publisher-sim:run -- --events 200 --worlds 2 --branches 1 --concurrency 4 --url http://localhost:$(PORT) --service $(SERVICE)

psql: install ## psql on the dev database of make serve (SERVICE=projector-rel); no URL or password to copy
	@$(NX) run dev-postgres:build --output-style=static >/dev/null || $(NX) run dev-postgres:build
	@node libs/dev-postgres/dist/psql-cli.js $(SERVICE) $(ARGS)

test: install ## Every test, on a real PostgreSQL found or started by the tests themselves
	$(NX) run-many -t test --output-style=stream

lint: install ## Lint every project
	$(NX) run-many -t lint

typecheck: install ## Typecheck every project
	$(NX) run-many -t typecheck

bench: install ## Benchmark projector-rel against raw PostgreSQL (BENCH_DATABASE_URL, else make serve's or a throw-away embedded one); ARGS="--quick"
	$(NX) run bench:run $(if $(ARGS),-- $(ARGS))

replay: install ## Replay the log and compare state hashes: make replay ARGS="--all"
	$(NX) run projector-rel:replay -- $(ARGS)

image: ## Build the three images with docker if an engine answers, else buildah (offline base from Debian packages: docs/images.md)
	docker/build-images.sh

image-test: install ## Run projector-rel's image (make image) on the test PostgreSQL: health, an event, HEALTHCHECK, uid 1000, SIGTERM exit 0
	@$(NX) run dev-postgres:build --output-style=static >/dev/null || $(NX) run dev-postgres:build
	@source docker/image-env.sh && node tools/standalone/image-test.mjs "$$IMAGE_RUNNER" "$$(image_name projector-rel)"

docker-build: ## Build the images of the three projectors (needs a Docker engine and Compose v2)
	$(need-compose)
	docker compose build

up: ## Start PostgreSQL and the three projectors with docker compose
	$(need-compose)
	docker compose up -d --wait

down: ## Stop the compose stack
	$(need-compose)
	docker compose down

logs: ## Follow the compose logs
	$(need-compose)
	docker compose logs -f
