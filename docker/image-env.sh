# Sourced by docker/build-images.sh, docker/image-test.sh and docker/offline-base/make-base.sh: the one
# place that decides which engine builds and runs the images, which storage it uses, and their names.

# Docker when an engine answers; else Debian's buildah (build) and podman (run), no daemon needed.
if [ -z "${IMAGE_ENGINE:-}" ]; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then IMAGE_ENGINE=docker; else IMAGE_ENGINE=buildah; fi
fi
# What runs the images (make image-test): docker with docker, podman with buildah (same storage).
case "$IMAGE_ENGINE" in
  docker) IMAGE_RUNNER=docker ;;
  buildah) IMAGE_RUNNER=podman ;;
  *) echo "IMAGE_ENGINE must be docker or buildah, not '$IMAGE_ENGINE'" >&2; exit 1 ;;
esac

# buildah and podman share /var/lib/containers/storage and must agree on its driver. Native overlay
# works as root on this kind of machine (ext4, kernel overlayfs); where it does not (overlay on
# overlay, some container hosts), STORAGE_DRIVER=vfs works everywhere, slower and bigger on disk.
export STORAGE_DRIVER="${STORAGE_DRIVER:-overlay}"

IMAGE_APPS=(projector-rel projector-sem projector-graph)

# The base image of docker/Dockerfile's FROM. Docker keeps the Dockerfile's default (pulled from Docker
# Hub); buildah, used where no engine and often no registry answers, gets the offline base that
# docker/offline-base/make-base.sh builds from Debian packages. NODE_IMAGE overrides either.
OFFLINE_BASE_IMAGE="${OFFLINE_BASE_IMAGE:-localhost/projectors-node-base:20-bookworm}"
if [ "$IMAGE_ENGINE" = docker ]; then
  NODE_IMAGE="${NODE_IMAGE:-node:20-bookworm-slim}"
  image_name() { echo "projectors/$1:local"; }
else
  NODE_IMAGE="${NODE_IMAGE:-$OFFLINE_BASE_IMAGE}"
  image_name() { echo "localhost/projectors/$1:local"; }
fi

# Whether an image is in the engine's local storage.
image_exists() {
  if [ "$IMAGE_ENGINE" = docker ]; then docker image inspect "$1" >/dev/null 2>&1; else buildah inspect --type image "$1" >/dev/null 2>&1; fi
}
