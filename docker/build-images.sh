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
    buildah bud --isolation chroot --format docker --layers \
      -f docker/Dockerfile --build-arg "APP=$app" --build-arg "NODE_IMAGE=$NODE_IMAGE" -t "$name" .
  fi
  echo "image $name built in $(( $(date +%s) - began )) s"
done

# The sizes, as the engine reports them.
for app in "${IMAGE_APPS[@]}"; do
  name="$(image_name "$app")"
  if [ "$IMAGE_ENGINE" = docker ]; then
    echo "image $name: $(( $(docker image inspect --format '{{.Size}}' "$name") / 1000000 )) MB"
  else
    echo "image $name: $(buildah images --noheading --format '{{.Size}}' "$name")"
  fi
done
