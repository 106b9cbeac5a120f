#!/usr/bin/env bash
# Builds the install's images without Docker, with the tooling the runtime and agent images use
# (skopeo + umoci, cluster/images, cluster/lib/agent.sh), on top of devbox/base:bookworm, and
# pushes them to a registry:
#   devbox/dashboard:<hash>  node (this host's binary) + the production build (.next, `npm run
#                            build` first) + production node_modules (`npm ci --omit=dev`, cached)
#                            + the server's sources (server.ts runs under tsx, as `npm start`);
#                            also deploy/images/registry-proxy.mjs
#   devbox/registry:<hash>   Debian's docker-registry (distribution 2.8)
#   devbox/postgres:bookworm only with --images …,postgres (root: apt-get in a chroot): Debian's
#                            postgresql, by cluster/images/build.sh from deploy/images/recipes/postgres.sh
# Each is also tagged :latest. <hash> is a content hash: an unchanged image is not rebuilt.
#   bash deploy/images/build.sh --registry 127.0.0.1:5000 [--from 127.0.0.1:5000] [--images dashboard,registry,postgres]
# --from: the registry holding devbox/base:bookworm (default: --registry). Prints "name ref" lines.
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REGISTRY="" FROM="" IMAGES="dashboard,registry"
while (($#)); do
  case "$1" in
    --registry) REGISTRY="$2"; shift 2 ;;
    --from) FROM="$2"; shift 2 ;;
    --images) IMAGES="$2"; shift 2 ;;
    *) echo "usage: build.sh --registry HOST:PORT [--from HOST:PORT] [--images dashboard,registry]" >&2; exit 2 ;;
  esac
done
[[ -n $REGISTRY ]] || { echo "build.sh: --registry is required" >&2; exit 2; }
FROM="${FROM:-$REGISTRY}"
CACHE="${DEVBOX_CACHE_DIR:-$HOME/.cache/devbox}/deploy-images"
LOG="$CACHE/build.log"
mkdir -p "$CACHE"
log() { printf '[deploy-images] %s\n' "$*" >&2; }
die() { printf '[deploy-images] ERROR: %s\n' "$*" >&2; [[ -s $LOG ]] && tail -n 20 "$LOG" >&2; exit 1; }
for t in umoci skopeo jq node npm; do command -v "$t" >/dev/null || die "$t is not installed (scripts/install-deps.sh; cluster up installs umoci and skopeo)"; done
: >"$LOG"
exec 9>"$CACHE/.lock"; flock 9
CLEANUP=()
trap 'rm -rf "${CLEANUP[@]}"' EXIT

BASE="docker://$FROM/devbox/base:bookworm"
skopeo inspect --tls-verify=false "$BASE" >/dev/null 2>>"$LOG" || die "cannot read $BASE (cluster up pushes it)"

exists() { skopeo inspect --tls-verify=false "docker://$REGISTRY/$1" >/dev/null 2>&1; }

# image name, hash, then: umoci insert pairs (source target)..., "--", umoci config args...
package() {
  local name=$1 hash=$2; shift 2
  local ref="$REGISTRY/devbox/$name:${hash:0:16}" work
  if exists "devbox/$name:${hash:0:16}"; then
    log "$name: $ref already pushed (unchanged)"
  else
    work=$(mktemp -d "$CACHE/work.XXXXXX")
    CLEANUP+=("$work")
    log "$name: packaging $ref"
    skopeo copy -q --src-tls-verify=false "$BASE" "oci:$work/oci:img" >>"$LOG" 2>&1 || die "$name: copying the base image failed"
    while [[ $1 != -- ]]; do
      umoci insert --image "$work/oci:img" "$1" "$2" >>"$LOG" 2>&1 || die "$name: umoci insert $1 $2 failed"
      shift 2
    done
    shift
    umoci config --image "$work/oci:img" --config.label "dev.devbox.deploy-hash=$hash" --config.label "dev.devbox.image=devbox/$name" \
      --config.label "org.opencontainers.image.title=Devbox $name (deploy/images/build.sh)" --config.label dev.devbox.recipe-hash= "$@" >>"$LOG" 2>&1 || die "$name: umoci config failed"
    skopeo copy -q --dest-tls-verify=false "oci:$work/oci:img" "docker://$ref" >>"$LOG" 2>&1 || die "$name: pushing $ref failed"
  fi
  skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$ref" "docker://$REGISTRY/devbox/$name:latest" >>"$LOG" 2>&1 ||
    die "$name: tagging latest failed"
  echo "$name $ref"
}

build_registry() {
  local bin; bin=$(command -v docker-registry) || die "docker-registry is not installed (Debian package docker-registry)"
  local hash; hash=$( { sha256sum <"$bin"; sha256sum <"${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-64)
  package registry "$hash" "$bin" /usr/bin/docker-registry -- \
    --config.user 1000:1000 --config.entrypoint=/usr/bin/docker-registry \
    --config.cmd=serve --config.cmd=/etc/docker/registry/config.yml --config.exposedports 5000/tcp
}

# What server.ts needs at run time: its sources (tsx compiles them on load), Next's production
# build and the production dependencies. Not tests, e2e, cluster/, agent/ or docs.
APP_FILES=(server.ts package.json package-lock.json tsconfig.json next.config.js postcss.config.mjs app components db lib server public deploy/images/registry-proxy.mjs)

build_dashboard() {
  cd "$ROOT"
  [[ -s .next/BUILD_ID ]] || die "no production build in $ROOT/.next: run 'npm run build' first"
  local deps_hash app_hash hash stage
  deps_hash=$( { sha256sum package-lock.json; node --version; } | sha256sum | cut -c1-16)
  local deps="$CACHE/node_modules-$deps_hash"
  if [[ ! -d $deps/node_modules ]]; then
    log "dashboard: production dependencies (npm ci --omit=dev, lock $deps_hash)"
    rm -rf "$deps.tmp"; mkdir -p "$deps.tmp"
    cp package.json package-lock.json "$deps.tmp/"
    (cd "$deps.tmp" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline) >>"$LOG" 2>&1 || die "npm ci --omit=dev failed"
    rm -rf "$deps"; mv "$deps.tmp" "$deps"
    find "$CACHE" -maxdepth 1 -name 'node_modules-*' ! -name "node_modules-$deps_hash" -exec rm -rf {} +
  fi
  app_hash=$( { find "${APP_FILES[@]}" .next -path .next/cache -prune -o -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16)
  hash=$(printf '%s %s %s %s' "$deps_hash" "$app_hash" "$(sha256sum "$(readlink -f "$(command -v node)")")" "$(sha256sum <"${BASH_SOURCE[0]}")" | sha256sum | cut -c1-64)
  stage=$(mktemp -d "$CACHE/stage.XXXXXX")
  CLEANUP+=("$stage")
  mkdir -p "$stage/app"
  tar -c --exclude=.next/cache "${APP_FILES[@]}" .next | tar -x -C "$stage/app"
  mkdir -p "$stage/app/.next/cache"
  package dashboard "$hash" "$(readlink -f "$(command -v node)")" /usr/local/bin/node \
    "$deps/node_modules" /app/node_modules "$stage/app" /app -- \
    --config.user 1000:1000 --config.workingdir /app --config.env NODE_ENV=production \
    --config.env NEXT_TELEMETRY_DISABLED=1 --config.entrypoint=/usr/bin/tini --config.entrypoint=-- \
    --config.cmd=/usr/local/bin/node --config.cmd=--import=tsx --config.cmd=server.ts \
    --config.exposedports 3000/tcp
}

# The runtime images' machinery (debootstrap'd base + apt-get in a chroot + umoci repack, cached by
# recipe hash) on a copy of cluster/images with one more recipe: cluster/images itself stays the
# devbox runtimes, and its recipe hashes (which cover its build.sh) stay the same.
build_postgres() {
  [[ $(id -u) == 0 ]] || die "postgres: the image is built with apt-get in a chroot: run as root"
  local tree; tree=$(mktemp -d "$CACHE/images.XXXXXX")
  CLEANUP+=("$tree")
  cp -a "$ROOT/cluster/images/." "$tree/"
  cp "$ROOT/deploy/images/recipes/postgres.sh" "$tree/runtimes/postgres.sh"
  log "postgres: cluster/images/build.sh --images postgres (log: $LOG)"
  bash "$tree/build.sh" --registry "$REGISTRY" --images postgres >>"$LOG" 2>&1 || die "postgres: the image build failed"
  echo "postgres $REGISTRY/devbox/postgres:bookworm"
}

IFS=, read -ra want <<<"$IMAGES"
for i in "${want[@]}"; do
  case "$i" in
    dashboard) build_dashboard ;;
    registry) build_registry ;;
    postgres) build_postgres ;;
    *) die "unknown image '$i' (dashboard, registry, postgres)" ;;
  esac
done
