#!/usr/bin/env bash
# Checks the devbox runtime images in a registry:
#   - every image (base + runtimes/*.sh) exists with its labels and recipe hash;
#   - each runtime's first layers are exactly base's layers (shared blobs);
#   - config: User 1000:1000, WorkingDir /home/devbox/project, LANG, tini entrypoint;
#   - content, offline: the image is copied from the registry to an OCI layout,
#     unpacked with umoci and commands run in it with chroot as the devbox user
#     (id -un, sudo, locale, git, and each runtime's CHECK, e.g. node --version).
#
#   DEVBOX_REGISTRY=127.0.0.1:5000 cluster/images/test.sh          check that registry (default)
#   cluster/images/test.sh --build [--port 5055]                   self-contained: start a throwaway
#        registry on loopback, run build.sh against it (cache reused), check, stop the registry.
#   DEVBOX_TEST_IMAGES=base,node cluster/images/test.sh            check only some images
#
# Prints "ok"/"not ok" lines and a closing "N passed, N failed"; exits 1 on any failure.
set -uo pipefail

IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$IMAGES_DIR/lib.sh"

BUILD=0 PORT=5055
while (($#)); do
  case $1 in
    --build) BUILD=1; shift ;;
    --port) PORT=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
need_root
ensure_tools umoci:umoci skopeo:skopeo jq:jq curl:curl

TMP=$(mktemp -d /tmp/devbox-images-test.XXXXXX)
REG_PID=""
cleanup() {
  unmount_below "$TMP"
  if [[ -n $REG_PID ]]; then kill "$REG_PID" 2>/dev/null; wait "$REG_PID" 2>/dev/null; fi
  safe_rm_work "$TMP" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ((BUILD)); then
  ensure_tools docker-registry:docker-registry
  REGISTRY="127.0.0.1:$PORT"
  if registry_ping "$REGISTRY" 2>/dev/null; then die "something already listens on $REGISTRY; pick --port"; fi
  mkdir -p "$TMP/registry"
  cat >"$TMP/registry/config.yml" <<EOF
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $TMP/registry/data }
http: { addr: $REGISTRY }
EOF
  docker-registry serve "$TMP/registry/config.yml" >"$TMP/registry/log" 2>&1 &
  REG_PID=$!
  for _ in $(seq 50); do registry_ping "$REGISTRY" 2>/dev/null && break; sleep 0.2; done
  registry_ping "$REGISTRY" || die "throwaway registry did not start: $(cat "$TMP/registry/log")"
  log "test: building into throwaway registry $REGISTRY"
  bash "$IMAGES_DIR/build.sh" --registry "$REGISTRY" || die "build.sh failed"
else
  REGISTRY="${DEVBOX_REGISTRY:-127.0.0.1:5000}"
  registry_ping "$REGISTRY" || die "registry http://$REGISTRY/v2/ not reachable (start the cluster, or use --build)"
fi

if [[ -n ${DEVBOX_TEST_IMAGES:-} ]]; then IFS=',' read -ra NAMES <<<"$DEVBOX_TEST_IMAGES"
else mapfile -t NAMES < <(all_image_names); fi

PASS=0 FAIL=0
ok()     { PASS=$((PASS + 1)); printf 'ok - %s\n' "$1"; }
not_ok() { FAIL=$((FAIL + 1)); printf 'not ok - %s\n' "$1"; [[ -n ${2:-} ]] && printf '#   %s\n' "$2"; }
check()  { # description expected actual
  if [[ $2 == "$3" ]]; then ok "$1"; else not_ok "$1" "expected '$2', got '$3'"; fi
}

ref() { registry_ref "$REGISTRY" "$1"; }
manifest() { skopeo inspect --tls-verify=false --raw "$(ref "$1")"; }
config()   { skopeo inspect --tls-verify=false --config "$(ref "$1")"; }

declare -A LAYERS
# Run a command in an unpacked rootfs as uid/gid 1000 with the image's env.
run_as_devbox() { # rootfs command-string
  chroot --userspec=1000:1000 "$1" /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/home/devbox \
    USER=devbox LANG=en_US.UTF-8 /bin/bash -c "cd /home/devbox/project && $2"
}

for name in "${NAMES[@]}"; do
  echo "# $DEVBOX_REPO_PREFIX/$name:$DEVBOX_IMAGE_TAG"
  if ! m=$(manifest "$name" 2>"$TMP/err"); then
    not_ok "$name: exists in $REGISTRY" "$(tail -n1 "$TMP/err")"
    continue
  fi
  ok "$name: exists in $REGISTRY"
  LAYERS[$name]=$(jq -c '[.layers[].digest]' <<<"$m")
  c=$(config "$name")
  check "$name: config User" "1000:1000" "$(jq -r '.config.User' <<<"$c")"
  check "$name: config WorkingDir" "/home/devbox/project" "$(jq -r '.config.WorkingDir' <<<"$c")"
  check "$name: config Env LANG" "LANG=en_US.UTF-8" "$(jq -r '.config.Env[] | select(startswith("LANG="))' <<<"$c")"
  check "$name: config Entrypoint tini" '["/usr/bin/tini","--"]' "$(jq -c '.config.Entrypoint' <<<"$c")"
  check "$name: config Cmd" '["sleep","infinity"]' "$(jq -c '.config.Cmd' <<<"$c")"
  check "$name: label $HASH_LABEL" yes "$(jq -r --arg l "$HASH_LABEL" '.config.Labels[$l] // ""' <<<"$c" | grep -qE '^[0-9a-f]{64}$' && echo yes)"
  [[ -n $(jq -r '.config.Labels["org.opencontainers.image.title"] // ""' <<<"$c") ]] \
    && ok "$name: label org.opencontainers.image.title" || not_ok "$name: label org.opencontainers.image.title"
  check "$name: diff_ids match layers" "$(jq '.layers | length' <<<"$m")" "$(jq '.rootfs.diff_ids | length' <<<"$c")"

  if [[ $name != base ]]; then
    parent=$(jq -r '.config.Labels["dev.devbox.parent"] // "devbox/base"' <<<"$c"); parent=${parent##*/}
    pm=$(manifest "$parent" 2>/dev/null) || pm='{"layers":[]}'
    pl=$(jq -c '[.layers[].digest]' <<<"$pm")
    n=$(jq length <<<"$pl")
    check "$name: first $n layer(s) are $parent's layers" "$pl" "$(jq -c --argjson n "$n" '.[:$n]' <<<"${LAYERS[$name]}")"
    check "$name: exactly one layer more than $parent" "$((n + 1))" "$(jq length <<<"${LAYERS[$name]}")"
    check "$name: parent recipe-hash label matches $parent" \
      "$(config "$parent" 2>/dev/null | jq -r --arg l "$HASH_LABEL" '.config.Labels[$l]')" \
      "$(jq -r '.config.Labels["dev.devbox.parent-recipe-hash"]' <<<"$c")"
  fi

  # ---- content, offline: registry -> OCI layout -> umoci unpack -> chroot
  b="$TMP/bundle-$name"
  if ! skopeo copy --quiet --src-tls-verify=false --preserve-digests "$(ref "$name")" "oci:$TMP/oci:$name" >"$TMP/err" 2>&1 \
     || ! umoci unpack --image "$TMP/oci:$name" "$b" >"$TMP/err" 2>&1; then
    not_ok "$name: pull + unpack" "$(tail -n2 "$TMP/err")"; continue
  fi
  ok "$name: pull + umoci unpack"
  r="$b/rootfs"
  mount -t proc proc "$r/proc"
  check "$name: id -un" devbox "$(run_as_devbox "$r" 'id -un' 2>&1)"
  check "$name: id -u:-g" "1000:1000" "$(run_as_devbox "$r" 'echo $(id -u):$(id -g)' 2>&1)"
  check "$name: passwordless sudo" 0 "$(run_as_devbox "$r" 'sudo -n id -u' 2>/dev/null)"
  check "$name: project dir owned by 1000:1000" "1000:1000" "$(stat -c %u:%g "$r/home/devbox/project")"
  check "$name: devbox in image passwd" "devbox:1000:1000:/home/devbox:/bin/bash" "$(awk -F: '$1 == "devbox" { print $1 ":" $3 ":" $4 ":" $6 ":" $7 }' "$r/etc/passwd")"
  check "$name: en_US.UTF-8 generated" "en_US.utf8" "$(run_as_devbox "$r" 'locale -a' 2>&1 | grep -x en_US.utf8)"
  check "$name: no baked ssh host keys" "" "$(ls "$r"/etc/ssh/ssh_host_* 2>/dev/null)"
  check "$name: apt sources configured" 1 "$([[ -s $r/etc/apt/sources.list.d/debian.sources ]] && echo 1)"
  check "$name: apt lists trimmed" "" "$(find "$r/var/lib/apt/lists" -type f 2>/dev/null)"
  for tool in bash git curl sudo sshd ps ip less vi tini locale; do
    check "$name: has $tool" 0 "$(run_as_devbox "$r" "PATH=\$PATH:/usr/sbin command -v $tool >/dev/null; echo \$?" 2>&1)"
  done
  if [[ $name != base ]]; then
    chk=$( CHECK=""; source "$IMAGES_DIR/runtimes/$name.sh" 2>/dev/null; printf '%s' "$CHECK" )
    if [[ -n $chk ]]; then
      if out=$(run_as_devbox "$r" "$chk" 2>&1); then ok "$name: $chk -> $(tr '\n' ' ' <<<"$out")"
      else not_ok "$name: $chk" "$out"; fi
    fi
  fi
  umount "$r/proc" || umount -l "$r/proc"
  safe_rm_work "$b" >/dev/null 2>&1 || true
done

echo "$PASS passed, $FAIL failed"
((FAIL == 0))
