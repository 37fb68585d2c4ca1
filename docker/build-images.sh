#!/usr/bin/env bash
# make image: the three projector images from docker/Dockerfile, unchanged, with docker when an engine
# answers, else with buildah (no daemon; the offline base stands in for the FROM image). See docs/images.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source docker/image-env.sh

if [ "$IMAGE_ENGINE" = buildah ]; then
  command -v buildah >/dev/null || { echo "make image: no docker engine answers and buildah is missing (apt-get install buildah)" >&2; exit 1; }
  [ "$NODE_IMAGE" != "$OFFLINE_BASE_IMAGE" ] || docker/offline-base/make-base.sh
fi

for app in "${IMAGE_APPS[@]}"; do
  name="$(image_name "$app")"
  began=$(date +%s)
  if [ "$IMAGE_ENGINE" = docker ]; then
    DOCKER_BUILDKIT=1 docker build -f docker/Dockerfile --build-arg "APP=$app" --build-arg "NODE_IMAGE=$NODE_IMAGE" -t "$name" .
  else
    # --format docker: the OCI format has no HEALTHCHECK and buildah drops it without a word.
    # --layers: the build stage up to `ARG APP` is built once and shared by the three images.
    # --isolation chroot: no user namespaces or runtime needed, which containers in CI rarely allow.
    # --ulimit: RUN steps otherwise get buildah's default of 1,024 open files, and npm ci on a warm
    # cache mount opens more at once (EMFILE); the caller's own hard limit is what may be raised to.
    nofile="$(ulimit -Hn)"
    bud=(buildah bud --isolation chroot --format docker --layers --ulimit "nofile=$nofile:$nofile" -f docker/Dockerfile --build-arg "APP=$app" --build-arg "NODE_IMAGE=$NODE_IMAGE")
    "${bud[@]}" -t "$name" .
    # The build stage under a tag of its own (from the cache just made: a second or so), so that the
    # prune below keeps its layers for the next run and drops only those no tag leads to any more.
    "${bud[@]}" --quiet --target build -t "$(image_name "$app-build")" . >/dev/null
  fi
  echo "image $name built in $(( $(date +%s) - began )) s"
done

# Each build whose sources changed leaves the previous build's layers behind (a GB or so): remove
# the images no tag leads to. Docker collects its build cache itself.
if [ "$IMAGE_ENGINE" = buildah ]; then
  echo "pruned $(buildah rmi --prune 2>/dev/null | wc -l) untagged images"
fi

# The sizes, as the engine reports them.
for app in "${IMAGE_APPS[@]}"; do
  name="$(image_name "$app")"
  if [ "$IMAGE_ENGINE" = docker ]; then
    echo "image $name: $(( $(docker image inspect --format '{{.Size}}' "$name") / 1000000 )) MB"
  else
    echo "image $name: $(buildah images --noheading --format '{{.Size}}' "$name")"
  fi
done
