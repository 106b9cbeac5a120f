#!/usr/bin/env bash
# Build the devbox runtime images (devbox/base, and one image per runtimes/*.sh
# recipe layered on top of it) into a cached OCI layout, and push them to a
# plain-HTTP registry.
#
#   cluster/images/build.sh --registry 127.0.0.1:5000     build what changed, push what is missing
#   cluster/images/build.sh                               build only (no push)
#   cluster/images/build.sh --images base,node --rebuild  force a rebuild of some images
#
# See cluster/images/README.md.
set -Eeuo pipefail

IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$IMAGES_DIR/lib.sh"

usage() {
  cat <<EOF
usage: $0 [--registry HOST:PORT] [--images base,node,...] [--rebuild] [--no-push] [--cache-dir DIR]

  --registry HOST:PORT  plain-HTTP registry to push to (e.g. 127.0.0.1:5000). Without it, build only.
  --images LIST         comma-separated images to build (default: base + every runtimes/*.sh).
                        A runtime's parent is always built/fetched as needed.
  --rebuild             ignore the local cache for the selected images (their children follow).
  --no-push             never push, even with --registry (still used to fetch cached images).
  --cache-dir DIR       default \${DEVBOX_CACHE_DIR:-\$HOME/.cache/devbox}/images

Environment: DEVBOX_DEBIAN_MIRROR, DEVBOX_DEBIAN_SECURITY_MIRROR (default: read from the host's
apt sources), DEVBOX_SUITE (bookworm), DEVBOX_IMAGES_KEEP_WORK=1 (keep work dirs for debugging).
EOF
}

REGISTRY="" ONLY="" REBUILD=0 PUSH=1
CACHE="${DEVBOX_CACHE_DIR:-${HOME:-/root}/.cache/devbox}/images"
while (($#)); do
  case $1 in
    --registry) REGISTRY=${2:?--registry needs HOST:PORT}; shift 2 ;;
    --registry=*) REGISTRY=${1#*=}; shift ;;
    --images) ONLY=${2:?--images needs a list}; shift 2 ;;
    --images=*) ONLY=${1#*=}; shift ;;
    --rebuild) REBUILD=1; shift ;;
    --no-push) PUSH=0; shift ;;
    --cache-dir) CACHE=${2:?}; shift 2 ;;
    --cache-dir=*) CACHE=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

OCI="$CACHE/oci"           # one OCI layout; all images share its blobs
WORKROOT="$CACHE/work"     # per-build bundles (rootfs); removed after each build
LOGDIR="$CACHE/logs"
DEBS="$CACHE/debs"         # .deb cache shared by debootstrap and apt in the chroots
ARCH=amd64
STEP="init"
CUR_WORK=""

on_err() {
  local rc=$1
  log "FAILED at step '$STEP' (exit $rc)${CUR_LOG:+; last lines of $CUR_LOG:}"
  [[ -n ${CUR_LOG:-} && -f $CUR_LOG ]] && tail -n 30 "$CUR_LOG" | sed 's/^/[images]   | /' >&2
  exit "$rc"
}
on_exit() {
  local rc=$?
  if [[ -n $CUR_WORK && -d $CUR_WORK ]]; then
    if [[ ${DEVBOX_IMAGES_KEEP_WORK:-0} == 1 ]]; then
      kill_chroot_procs "$CUR_WORK"; unmount_below "$CUR_WORK"
      log "kept work dir $CUR_WORK"
    else
      safe_rm_work "$CUR_WORK" || true
    fi
  fi
  # drop unfinished (temporary) tags
  if [[ -d $OCI ]] && command -v umoci >/dev/null; then
    local t
    for t in $(umoci ls --layout "$OCI" 2>/dev/null | grep '^tmp-' || true); do
      umoci rm --image "$OCI:$t" 2>/dev/null || true
    done
  fi
  exit "$rc"
}
trap 'on_err $?' ERR
trap on_exit EXIT
trap 'exit 130' INT TERM

# step "description" cmd args...: timed step line; output of cmd goes to $CUR_LOG
# with a heartbeat every 30s, so long steps show they are alive.
step() {
  local desc=$1; shift
  STEP="$desc"
  local t0=$SECONDS
  log "$desc…"
  ( trap - ERR; "$@" ) >>"$CUR_LOG" 2>&1 &
  local pid=$! next=30
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if (( SECONDS - t0 >= next )); then
      log "  … $desc ($(fmt_secs $((SECONDS - t0))))"
      next=$((next + 30))
    fi
  done
  local rc=0
  wait "$pid" || rc=$?
  if ((rc != 0)); then return "$rc"; fi
  log "$desc: done ($(fmt_secs $((SECONDS - t0))))"
}

# ---------------------------------------------------------------- host setup
need_root
ensure_tools debootstrap:debootstrap umoci:umoci skopeo:skopeo jq:jq curl:curl \
  sha256sum:coreutils flock:util-linux chroot:coreutils gzip:gzip
[[ -f /usr/share/keyrings/debian-archive-keyring.gpg ]] || ensure_tools "no-such-cmd-devbox:debian-archive-keyring"

# The Debian mirror: the one this host's apt uses (deb822 .sources or sources.list).
detect_mirror() { # $1 = suite to look for (bookworm | bookworm-security)
  local suite=$1 f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    awk -v s="$suite" 'BEGIN { RS = ""; FS = "\n" }
      { uris = ""; ok = 0; comp = 0; typ = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/)       { sub(/^URIs:[ \t]*/, "", $i); split($i, a, /[ \t]+/); uris = a[1] }
          if ($i ~ /^Suites:/)     { n = split($i, b, /[ \t]+/); for (j = 2; j <= n; j++) if (b[j] == s) ok = 1 }
          if ($i ~ /^Components:/ && $i ~ /[ \t]main([ \t]|$)/) comp = 1
          if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) typ = 1
        }
        if (ok && comp && typ && uris != "") { print uris; exit } }' "$f"
  done | head -n1
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    awk -v s="$suite" '$1 == "deb" { u = ""; for (i = 2; i <= NF; i++) { if ($i ~ /^[a-z]+:\/\//) { u = $i; if ($(i+1) == s) { print u; exit } } } }' "$f"
  done | head -n1
}
MIRROR="${DEVBOX_DEBIAN_MIRROR:-$(detect_mirror "$DEVBOX_SUITE" | head -n1)}"
SECURITY_MIRROR="${DEVBOX_DEBIAN_SECURITY_MIRROR:-$(detect_mirror "$DEVBOX_SUITE-security" | head -n1)}"
[[ -n $MIRROR ]] || die "no Debian mirror for '$DEVBOX_SUITE' found in /etc/apt/sources.list*; set DEVBOX_DEBIAN_MIRROR"
MIRROR=${MIRROR%/}; SECURITY_MIRROR=${SECURITY_MIRROR%/}

mkdir -p "$CACHE" "$WORKROOT" "$LOGDIR" "$DEBS/partial"
exec 9>"$CACHE/.lock"
flock -n 9 || { log "another build holds $CACHE/.lock; waiting…"; flock 9; }

if [[ -n $REGISTRY ]]; then
  registry_ping "$REGISTRY" || die "registry http://$REGISTRY/v2/ is not reachable (is it running?)"
fi
[[ -d $OCI ]] || umoci init --layout "$OCI"

# ------------------------------------------------------------ recipe hashes
# A recipe hash covers everything that decides an image's content: the suite,
# architecture, mirror, the build machinery (build.sh) and the image's own
# recipe files. A derived image's hash also covers its parent's hash.
declare -A HASH PARENT TITLE
hash_files() { (cd "$IMAGES_DIR" && sha256sum "$@") }
recipe_hash() {
  local name=$1
  {
    echo "suite=$DEVBOX_SUITE arch=$ARCH mirror=$MIRROR security=$SECURITY_MIRROR format=1"
    hash_files build.sh   # lib.sh (logging, registry, mount helpers) does not shape content
    if [[ $name == base ]]; then
      hash_files base/packages.txt base/setup.sh
    else
      echo "parent=${HASH[${PARENT[$name]}]}"
      hash_files "runtimes/$name.sh"
    fi
  } | sha256sum | cut -c1-64
}

# Load a runtime recipe in a subshell-safe way: prints VAR=value lines.
recipe_get() { # name var
  ( TITLE="" PARENT=base PACKAGES="" SETUP="" ENV="" CHECK=""
    # shellcheck disable=SC1090
    source "$IMAGES_DIR/runtimes/$1.sh"
    printf '%s' "${!2}" )
}

mapfile -t ALL < <(all_image_names)
for name in "${ALL[@]}"; do
  if [[ $name == base ]]; then
    TITLE[base]="Devbox base (Debian $DEVBOX_SUITE)"
  else
    PARENT[$name]=$(recipe_get "$name" PARENT)
    TITLE[$name]=$(recipe_get "$name" TITLE)
    [[ -n ${TITLE[$name]} ]] || TITLE[$name]="Devbox $name runtime"
    [[ -n ${PARENT[$name]} ]] || die "runtimes/$name.sh: PARENT is empty"
  fi
done
# Hashes in dependency order (parents first; a parent may be another runtime).
declare -A VISIT
compute_hash() {
  local n=$1
  [[ -n ${HASH[$n]:-} ]] && return 0
  [[ -z ${VISIT[$n]:-} ]] || die "recipe cycle at $n"
  VISIT[$n]=1
  if [[ $n != base ]]; then
    [[ ${PARENT[$n]} == base || -f $IMAGES_DIR/runtimes/${PARENT[$n]}.sh ]] \
      || die "runtimes/$n.sh: unknown PARENT '${PARENT[$n]}'"
    compute_hash "${PARENT[$n]}"
  fi
  HASH[$n]=$(recipe_hash "$n")
}
for name in "${ALL[@]}"; do compute_hash "$name"; done

# Selected images + their ancestors, in build order.
SELECTED=()
if [[ -z $ONLY ]]; then
  SELECTED=("${ALL[@]}")
else
  declare -A WANT
  add_want() { WANT[$1]=1; [[ $1 == base ]] || add_want "${PARENT[$1]}"; }
  IFS=',' read -ra req <<<"$ONLY"
  for n in "${req[@]}"; do
    [[ -n ${HASH[$n]:-} ]] || die "unknown image '$n' (known: ${ALL[*]})"
    add_want "$n"
  done
  # order: ancestors first (depth-first order of ALL with parents resolved)
  declare -A ORDERED
  order() { [[ -n ${ORDERED[$1]:-} ]] && return; [[ $1 == base ]] || order "${PARENT[$1]}"; ORDERED[$1]=1; SELECTED+=("$1"); }
  for n in "${ALL[@]}"; do [[ -n ${WANT[$n]:-} ]] && order "$n"; done
fi
declare -A FORCE
if ((REBUILD)); then
  if [[ -z $ONLY ]]; then for n in "${SELECTED[@]}"; do FORCE[$n]=1; done
  else IFS=',' read -ra req <<<"$ONLY"; for n in "${req[@]}"; do FORCE[$n]=1; done; fi
fi

local_tag() { echo "$1-${HASH[$1]:0:16}"; }
have_local() { # (no `umoci ls | grep -q`: with pipefail, grep's early exit can fail the pipe)
  local tags; tags=$(umoci ls --layout "$OCI" 2>/dev/null) || return 1
  grep -qxF "$(local_tag "$1")" <<<"$tags"
}

# ------------------------------------------------------------ chroot helpers
# Mount what apt/dpkg need inside <rootfs>; everything is unmounted by
# chroot_down (and, on any exit, by on_exit via unmount_below of the work dir).
chroot_up() {
  local r=$1
  mount -t proc proc "$r/proc"
  mount -t sysfs -o ro sysfs "$r/sys"
  mkdir -p "$r/dev/pts"
  mount -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts"
  mkdir -p "$r/var/cache/apt/archives"
  mount --bind "$DEBS" "$r/var/cache/apt/archives"
  # DNS for apt inside the chroot; the image's own resolv.conf is restored after.
  if [[ -e $r/etc/resolv.conf || -L $r/etc/resolv.conf ]]; then
    cp -a "$r/etc/resolv.conf" "$CUR_WORK/resolv.conf.image"
  fi
  rm -f "$r/etc/resolv.conf"
  cp -L /etc/resolv.conf "$r/etc/resolv.conf"
  # never start services from maintainer scripts
  printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
  chmod 0755 "$r/usr/sbin/policy-rc.d"
}
chroot_down() {
  local r=$1
  kill_chroot_procs "$r"
  unmount_below "$r/var/cache/apt/archives"
  unmount_below "$r/dev/pts"
  unmount_below "$r/sys"
  unmount_below "$r/proc"
  unmount_below "$r"
  rm -f "$r/usr/sbin/policy-rc.d" "$r/etc/resolv.conf"
  if [[ -e $CUR_WORK/resolv.conf.image || -L $CUR_WORK/resolv.conf.image ]]; then
    cp -a "$CUR_WORK/resolv.conf.image" "$r/etc/resolv.conf"
    rm -f "$CUR_WORK/resolv.conf.image"
  else
    : >"$r/etc/resolv.conf"
  fi
}
in_chroot() { # rootfs cmd...
  local r=$1; shift
  chroot "$r" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true "$@"
}
# Shared trim: what neither the image nor its children should carry.
trim_rootfs() {
  local r=$1
  rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin \
         "$r"/var/cache/debconf/*-old "$r"/var/lib/dpkg/*-old \
         "$r"/tmp/* "$r"/tmp/.[!.]* "$r"/var/tmp/* "$r"/root/.cache "$r"/root/.wget-hsts \
         "$r"/var/cache/ldconfig/aux-cache "$r"/var/cache/apt/archives/*.deb \
         "$r"/var/cache/apt/archives/partial/* "$r"/var/cache/apt/archives/lock
  mkdir -p "$r/var/lib/apt/lists/partial"
  find "$r/var/log" -type f -delete
  rm -rf "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/lintian/*
  # translations: keep English and locale.alias only (same as /etc/dpkg/dpkg.cfg.d/devbox-slim)
  find "$r/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'en' ! -name 'en_*' ! -name 'en@*' \
    ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
  find "$r/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete 2>/dev/null || true
  find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
}

write_apt_sources() {
  local r=$1
  rm -f "$r/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$MIRROR" "$DEVBOX_SUITE" "$DEVBOX_SUITE"
    if [[ -n $SECURITY_MIRROR ]]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$SECURITY_MIRROR" "$DEVBOX_SUITE"
    fi
  } >"$r/etc/apt/sources.list.d/debian.sources"
}

apt_install() { # rootfs packages...
  local r=$1; shift
  in_chroot "$r" apt-get update
  in_chroot "$r" apt-get -y -o Dpkg::Options::=--force-confold dist-upgrade
  in_chroot "$r" apt-get -y -o Dpkg::Options::=--force-confold install --no-install-recommends "$@"
  # no `apt-get clean`: /var/cache/apt/archives is the bind-mounted .deb cache ($DEBS),
  # kept for the next build; trim_rootfs empties the image's own copy.
}

base_packages() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$IMAGES_DIR/base/packages.txt" | tr -s ' \t\n' ' '; }

base_finish_files() {
  local r=$1
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$r/etc/hosts"
  : >"$CUR_WORK/resolv.conf.image"
}

# ------------------------------------------------------------ image config
image_env_base=(
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  "LANG=en_US.UTF-8"
  "HOME=/home/devbox"
  "USER=devbox"
  "SHELL=/bin/bash"
)

finish_image() { # name tmp-tag   (config + final tag)
  local name=$1 tmp=$2 args=()
  args+=(--config.label "org.opencontainers.image.title=${TITLE[$name]}")
  args+=(--config.label "$HASH_LABEL=${HASH[$name]}")
  args+=(--config.label "dev.devbox.image=$DEVBOX_REPO_PREFIX/$name")
  args+=(--config.label "dev.devbox.suite=$DEVBOX_SUITE")
  if [[ $name == base ]]; then
    local e
    for e in "${image_env_base[@]}"; do args+=(--config.env "$e"); done
    args+=(--config.user "1000:1000" --config.workingdir /home/devbox/project)
    args+=(--config.entrypoint /usr/bin/tini --config.entrypoint --)
    args+=(--config.cmd sleep --config.cmd infinity)
    args+=(--config.stopsignal SIGTERM --os linux --architecture "$ARCH")
    args+=(--author "devbox cluster/images/build.sh")
  else
    args+=(--config.label "dev.devbox.parent=$DEVBOX_REPO_PREFIX/${PARENT[$name]}")
    args+=(--config.label "dev.devbox.parent-recipe-hash=${HASH[${PARENT[$name]}]}")
    local envs e
    envs=$(recipe_get "$name" ENV)
    for e in $envs; do args+=(--config.env "$e"); done
  fi
  umoci config --image "$OCI:$tmp" --no-history "${args[@]}"
  umoci tag --image "$OCI:$tmp" "$(local_tag "$name")"
  umoci rm --image "$OCI:$tmp"
}

manifest_json() { # tag -> manifest JSON of the layout tag
  local d
  d=$(jq -r --arg t "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$OCI/index.json")
  [[ -n $d ]] || return 1
  cat "$OCI/blobs/sha256/${d#sha256:}"
}

# ------------------------------------------------------------ builders
build_base() {
  local tmp="tmp-base-$$" r="$CUR_WORK/bundle/rootfs"
  step "base: new OCI image" bash -c "umoci new --image '$OCI:$tmp' && umoci unpack --image '$OCI:$tmp' '$CUR_WORK/bundle'"
  step "base: debootstrap $DEVBOX_SUITE minbase from $MIRROR" \
    debootstrap --variant=minbase --arch="$ARCH" --include=ca-certificates \
      --cache-dir="$DEBS" "$DEVBOX_SUITE" "$r" "$MIRROR"
  unmount_below "$r"   # debootstrap leaves nothing mounted on success; be sure
  write_apt_sources "$r"
  STEP="base: chroot setup"; chroot_up "$r"
  local pkgs; pkgs=$(base_packages)
  step "base: apt-get install ($(wc -w <<<"$pkgs") packages) + security updates" apt_install "$r" $pkgs
  install -m 0755 "$IMAGES_DIR/base/setup.sh" "$r/tmp/devbox-setup.sh"
  step "base: base/setup.sh (locale, devbox user, sudo, sshd)" in_chroot "$r" /bin/bash /tmp/devbox-setup.sh
  base_finish_files "$r"
  STEP="base: chroot teardown"; chroot_down "$r"
  STEP="base: trim"; trim_rootfs "$r"
  log "base: rootfs $(du -sh --one-file-system "$r" | cut -f1) uncompressed"
  step "base: umoci repack (gzip layer)" umoci repack --image "$OCI:$tmp" \
    --history.created_by "debootstrap --variant=minbase $DEVBOX_SUITE + base/packages.txt + base/setup.sh" \
    --history.comment "devbox recipe ${HASH[base]}" "$CUR_WORK/bundle"
  STEP="base: image config"; finish_image base "$tmp"
}

build_runtime() {
  local name=$1 parent=${PARENT[$1]} tmp="tmp-$1-$$" r="$CUR_WORK/bundle/rootfs"
  local pkgs setup
  pkgs=$(recipe_get "$name" PACKAGES); setup=$(recipe_get "$name" SETUP)
  step "$name: unpack $parent" umoci unpack --image "$OCI:$(local_tag "$parent")" "$CUR_WORK/bundle"
  STEP="$name: chroot setup"; chroot_up "$r"
  if [[ -n $pkgs ]]; then
    step "$name: apt-get install $pkgs" apt_install "$r" $pkgs
  fi
  if [[ -n $setup ]]; then
    printf '#!/bin/bash\nset -euo pipefail\n%s\n' "$setup" >"$r/tmp/devbox-setup.sh"
    step "$name: SETUP" in_chroot "$r" /bin/bash /tmp/devbox-setup.sh
  fi
  STEP="$name: chroot teardown"; chroot_down "$r"
  STEP="$name: trim"; trim_rootfs "$r"
  step "$name: umoci repack (new layer on $parent)" umoci repack --image "$OCI:$tmp" \
    --history.created_by "apt-get install $pkgs (runtimes/$name.sh)" \
    --history.comment "devbox recipe ${HASH[$name]}" "$CUR_WORK/bundle"
  STEP="$name: image config"; finish_image "$name" "$tmp"
  # Proof of layer sharing: the parent's layers are the child's first layers.
  STEP="$name: verify shared layers"
  local pl cl
  pl=$(manifest_json "$(local_tag "$parent")" | jq -c '[.layers[].digest]')
  cl=$(manifest_json "$(local_tag "$name")" | jq -c --argjson n "$(jq length <<<"$pl")" '[.layers[:$n][].digest]')
  [[ $pl == "$cl" ]] || die "$name does not start with $parent's layers ($pl vs $cl)"
}

fetch_from_registry() { # name: the registry has this exact recipe; reuse it as the cache
  step "$1: fetch from registry (recipe unchanged)" skopeo copy --quiet --src-tls-verify=false \
    --preserve-digests "$(registry_ref "$REGISTRY" "$1")" "oci:$OCI:$(local_tag "$1")"
}

push_image() {
  step "$1: push to $REGISTRY/$DEVBOX_REPO_PREFIX/$1:$DEVBOX_IMAGE_TAG" \
    skopeo copy --quiet --dest-tls-verify=false --preserve-digests --format oci --retry-times 2 \
      "oci:$OCI:$(local_tag "$1")" "$(registry_ref "$REGISTRY" "$1")"
  local got; got=$(registry_hash "$REGISTRY" "$1")
  [[ $got == "${HASH[$1]}" ]] || die "$1: pushed, but the registry reports recipe hash '$got'"
}

summary_line() {
  local m size n
  m=$(manifest_json "$(local_tag "$1")")
  size=$(jq '[.layers[].size] | add' <<<"$m")
  n=$(jq '.layers | length' <<<"$m")
  printf '%s: %d layer(s), %s MB compressed, recipe %s\n' "$DEVBOX_REPO_PREFIX/$1:$DEVBOX_IMAGE_TAG" \
    "$n" "$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }')" "${HASH[$1]:0:12}"
}

# ------------------------------------------------------------ main
log "images: ${SELECTED[*]} (suite $DEVBOX_SUITE, mirror $MIRROR, cache $CACHE${REGISTRY:+, registry $REGISTRY})"
for name in "${SELECTED[@]}"; do
  t0=$SECONDS
  CUR_LOG="$LOGDIR/$name.log"
  remote=""
  [[ -n $REGISTRY ]] && remote=$(registry_hash "$REGISTRY" "$name")
  if [[ -n ${FORCE[$name]:-} ]] || { [[ $name != base ]] && [[ -n ${FORCE[${PARENT[$name]}]:-} ]]; }; then
    FORCE[$name]=1
  fi
  if [[ -z ${FORCE[$name]:-} ]] && have_local "$name"; then
    log "$name: cached (recipe ${HASH[$name]:0:12})"
  elif [[ -z ${FORCE[$name]:-} && -n $REGISTRY && $remote == "${HASH[$name]}" ]]; then
    : >"$CUR_LOG"
    fetch_from_registry "$name"
  else
    : >"$CUR_LOG"
    CUR_WORK="$WORKROOT/$name"
    safe_rm_work "$CUR_WORK" || die "cannot clean $CUR_WORK"
    mkdir -p "$CUR_WORK"
    log "$name: building (recipe ${HASH[$name]:0:12}; log $CUR_LOG)"
    if [[ $name == base ]]; then build_base; else build_runtime "$name"; fi
    STEP="$name: cleanup"
    if [[ ${DEVBOX_IMAGES_KEEP_WORK:-0} != 1 ]]; then safe_rm_work "$CUR_WORK"; fi
    CUR_WORK=""
    log "$name: built in $(fmt_secs $((SECONDS - t0)))"
  fi
  if [[ -n $REGISTRY && $PUSH == 1 ]]; then
    if [[ $remote == "${HASH[$name]}" && -z ${FORCE[$name]:-} ]]; then
      log "$name: registry already has $DEVBOX_REPO_PREFIX/$name:$DEVBOX_IMAGE_TAG at this recipe; not pushing"
    else
      push_image "$name"
    fi
  fi
done

# Drop stale cache entries (older recipes of the images we know) and unreferenced blobs.
STEP="cache gc"
for t in $(umoci ls --layout "$OCI"); do
  keep=0
  for n in "${ALL[@]}"; do [[ $t == "$(local_tag "$n")" ]] && keep=1; done
  if ((keep == 0)); then
    umoci rm --image "$OCI:$t" && log "cache: dropped stale $t"
  fi
done
umoci gc --layout "$OCI"
find "$DEBS" -maxdepth 1 -name '*.deb' -mtime +30 -delete 2>/dev/null || true

for name in "${SELECTED[@]}"; do log "$(summary_line "$name")"; done
log "done in $(fmt_secs $((SECONDS - _t0_global)))"
