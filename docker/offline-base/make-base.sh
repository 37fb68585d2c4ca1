#!/usr/bin/env bash
# The offline stand-in for node:20-bookworm-slim, made from Debian packages and this machine's Node 20,
# for sites where no container registry answers (air-gapped, or this CI machine). Built only when the
# image is missing:
#   docker/offline-base/make-base.sh          (as root; make image runs it when buildah builds)
# What it holds, as the official slim image does: Debian bookworm (debootstrap --variant=minbase),
# node and npm in /usr/local, the user `node` (uid/gid 1000) that `USER node` needs. Plus this machine's
# CA bundle, with npm's global config pointing at it, so that the build stage's `npm ci` trusts the
# same TLS proxy or internal registry as the host does. See docs/images.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../image-env.sh
source "$here/../image-env.sh"

image="$OFFLINE_BASE_IMAGE"
if image_exists "$image"; then
  echo "offline base $image: present"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "make-base.sh: debootstrap and the image import need root" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "make-base.sh: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }

# The Node that goes in: the one on the PATH unless NODE_BIN says otherwise. The tag says 20.
node_bin="$(readlink -f "${NODE_BIN:-$(command -v node)}")"
node_version="$("$node_bin" -p process.version)"
[[ "$node_version" == v20.* ]] || { echo "make-base.sh: $node_bin is Node $node_version; the base is tagged 20 (set NODE_BIN)" >&2; exit 1; }
npm_dir="$("$node_bin" -p "require('path').resolve(process.execPath, '../../lib/node_modules/npm')")"
[ -f "$npm_dir/bin/npm-cli.js" ] || npm_dir="$(readlink -f "$(dirname "$(readlink -f "$(command -v npm)")")/..")"
[ -f "$npm_dir/bin/npm-cli.js" ] || { echo "make-base.sh: no npm found beside $node_bin" >&2; exit 1; }

# Root-owned and kept between runs (not in the repository): debootstrap takes ~30 s and the network.
cache="${IMAGE_BASE_CACHE:-/var/tmp/projectors-image-base}"
rootfs="$cache/rootfs-bookworm-minbase"
# The Debian mirror apt already uses here (deb822 or one-line sources), else deb.debian.org.
mirror="${DEBIAN_MIRROR:-$(
  { grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
    grep -hsE '^deb +(\[[^]]*\] +)?https?://' /etc/apt/sources.list | sed -E 's/^deb +(\[[^]]*\] +)?//' | awk '{print $1}'
  } | grep -v -- '-security' | grep -m1 debian || true
)}"
mirror="${mirror:-http://deb.debian.org/debian}"

if [ ! -d "$rootfs" ]; then
  mkdir -p "$cache" && chmod 700 "$cache"
  echo "debootstrap --variant=minbase bookworm from $mirror into $rootfs"
  rm -rf "$rootfs.partial"
  debootstrap --variant=minbase bookworm "$rootfs.partial" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log" >&2; echo "make-base.sh: debootstrap failed (log: $cache/debootstrap.log)" >&2; exit 1; }
  mv "$rootfs.partial" "$rootfs"
fi

# Fills $1 (an empty root) with the cached Debian, Node, npm, the node user and the CA bundle.
assemble() {
  local root="$1"
  cp -a "$rootfs/." "$root/"
  # As the slim images do: no package lists, downloaded .debs, manuals or translations.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb "$root"/usr/share/man/* \
    "$root"/usr/share/info/* "$root"/usr/share/locale/*
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  install -D -m 0755 "$node_bin" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
    printf 'cafile=/etc/ssl/certs/ca-certificates.crt\n' >"$root/usr/local/etc/npmrc"
  fi
  "$root/usr/local/bin/node" --version >/dev/null
}

# The image's settings, as in the official image: the PATH, NODE_VERSION, and `node` as the command.
base_env=("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "NODE_VERSION=${node_version#v}")
base_cmd='["node"]'
echo "offline base $image: Debian bookworm minbase + Node $node_version ($node_bin) + npm $("$node_bin" "$npm_dir/bin/npm-cli.js" --version)"
if [ "$IMAGE_ENGINE" = docker ]; then
  stage="$(mktemp -d "$cache/stage.XXXXXX")"
  trap 'rm -rf "$stage"' EXIT
  assemble "$stage"
  changes=(--change "CMD $base_cmd")
  for e in "${base_env[@]}"; do changes+=(--change "ENV $e"); done
  tar -C "$stage" --numeric-owner -c . | docker import "${changes[@]}" - "$image" >/dev/null
else
  ctr="$(buildah from scratch)"
  trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
  assemble "$(buildah mount "$ctr")"
  buildah umount "$ctr" >/dev/null
  settings=(--cmd "$base_cmd")
  for e in "${base_env[@]}"; do settings+=(--env "$e"); done
  buildah config "${settings[@]}" "$ctr"
  buildah commit --quiet --format docker "$ctr" "$image" >/dev/null
fi
echo "offline base $image: built"
