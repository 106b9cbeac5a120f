# Shared helpers for cluster/images/build.sh and cluster/images/test.sh (sourced, bash).
# Not part of any image's recipe hash on purpose only where noted in build.sh.

IMAGES_DIR="${IMAGES_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
DEVBOX_SUITE="${DEVBOX_SUITE:-bookworm}"
DEVBOX_IMAGE_TAG="${DEVBOX_IMAGE_TAG:-$DEVBOX_SUITE}"
DEVBOX_REPO_PREFIX="${DEVBOX_REPO_PREFIX:-devbox}"
HASH_LABEL="dev.devbox.recipe-hash"

_t0_global=$SECONDS

fmt_secs() { # 135 -> 2m15s
  local s=$1
  if (( s >= 60 )); then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

log() { printf '[images] %s\n' "$*" >&2; }
die() { printf '[images] ERROR: %s\n' "$*" >&2; exit 1; }

need_root() { [[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, chroot and umoci unpack need it)"; }

# Install missing host tools from Debian packages: ensure_tools cmd:package ...
ensure_tools() {
  local missing=() pair cmd pkg
  for pair in "$@"; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing host packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# Image names in build order: base first, then every runtimes/*.sh, sorted.
all_image_names() {
  echo base
  local f
  for f in "$IMAGES_DIR"/runtimes/*.sh; do [[ -e $f ]] && basename "$f" .sh; done
}

registry_ref() { echo "docker://$1/$DEVBOX_REPO_PREFIX/$2:$DEVBOX_IMAGE_TAG"; }

# Print the recipe-hash label of <registry> <image>, or nothing when absent.
registry_hash() {
  skopeo inspect --tls-verify=false --retry-times 2 "$(registry_ref "$1" "$2")" 2>/dev/null \
    | jq -r --arg l "$HASH_LABEL" '.Labels[$l] // empty' 2>/dev/null || true
}

registry_ping() {
  curl -fsS -o /dev/null --max-time 5 "http://$1/v2/"
}

# Unmount everything mounted at or below a directory, deepest first.
unmount_below() {
  local dir mp
  dir=$(readlink -f "$1" 2>/dev/null) || return 0
  [[ -n $dir && $dir != / ]] || return 0
  # /proc/self/mounts escapes spaces as \040; our paths have none.
  while read -r mp; do
    umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || log "WARNING: could not unmount $mp"
  done < <(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r)
}

# Kill processes whose root directory is inside <dir> (daemons a package's
# postinst may have started inside our chroot). Only ever our own chroots.
kill_chroot_procs() {
  local dir p root
  dir=$(readlink -f "$1" 2>/dev/null) || return 0
  [[ -n $dir && $dir != / ]] || return 0
  for p in /proc/[0-9]*; do
    root=$(readlink "$p/root" 2>/dev/null) || continue
    if [[ $root == "$dir" || $root == "$dir"/* ]]; then
      kill -9 "${p#/proc/}" 2>/dev/null || true
    fi
  done
}

# Remove a work dir safely: never while something is mounted below it.
safe_rm_work() {
  local dir=$1
  [[ -e $dir ]] || return 0
  kill_chroot_procs "$dir"
  unmount_below "$dir"
  if awk -v d="$(readlink -f "$dir")" 'index($2, d "/") == 1 || $2 == d { f=1 } END { exit !f }' /proc/self/mounts; then
    log "WARNING: mounts remain below $dir; not removing it"
    return 1
  fi
  rm -rf --one-file-system "$dir"
}
