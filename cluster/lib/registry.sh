# The image registry: Debian's docker-registry (distribution 2.8, built with the s3-aws storage
# driver) on loopback. Deletes are enabled for snapshot garbage collection.
#
# Storage (DEVBOX_REGISTRY_STORAGE): `filesystem` (default; under the state dir) or `s3`, any
# S3-compatible object storage (DEVBOX_REGISTRY_S3_*; see cluster/README.md, "Registry storage").
# The first `up` remembers the choice in $REGISTRY_DIR/storage.env; later ups use it without the
# variables, and refuse to switch to another store (the images, every devbox snapshot among them,
# are in the old one). The S3 keys live in $REGISTRY_DIR/s3-credentials (0600) and reach
# docker-registry as REGISTRY_STORAGE_S3_ACCESSKEY/SECRETKEY, never in argv or config.yml.

# Run directly (commands at the end): the shared settings first.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -Eeuo pipefail
  CLUSTER_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  for f in common; do
    # shellcheck source=/dev/null
    source "$CLUSTER_SRC/lib/$f.sh"
  done
fi

REGISTRY_DIR="$STATE_DIR/registry"
REGISTRY_CONFIG="$REGISTRY_DIR/config.yml"
REGISTRY_FS_ROOT="$REGISTRY_DIR/storage"
REGISTRY_SETTINGS="$REGISTRY_DIR/storage.env"
REGISTRY_S3_CREDENTIALS="$REGISTRY_DIR/s3-credentials"

# The settings that name the store, as KEY=value lines (what storage.env holds).
registry_settings_from_env() {
  local kind="${DEVBOX_REGISTRY_STORAGE:-filesystem}"
  case "$kind" in
    filesystem) echo "storage=filesystem" ;;
    s3)
      [[ -n ${DEVBOX_REGISTRY_S3_BUCKET:-} ]] || die "DEVBOX_REGISTRY_STORAGE=s3 needs DEVBOX_REGISTRY_S3_BUCKET (the bucket must exist)"
      local endpoint="${DEVBOX_REGISTRY_S3_ENDPOINT:-}" root="${DEVBOX_REGISTRY_S3_ROOT:-}"
      [[ -z $endpoint || $endpoint =~ ^https?://[^/[:space:]]+/?$ ]] ||
        die "DEVBOX_REGISTRY_S3_ENDPOINT must be http(s)://host[:port] (got '$endpoint'); leave it empty for AWS S3"
      [[ $root =~ ^[A-Za-z0-9/._-]*$ ]] || die "DEVBOX_REGISTRY_S3_ROOT may hold only letters, digits and / . _ - (got '$root')"
      [[ ${DEVBOX_REGISTRY_S3_BUCKET} =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] ||
        die "DEVBOX_REGISTRY_S3_BUCKET '$DEVBOX_REGISTRY_S3_BUCKET' is not an S3 bucket name"
      printf '%s\n' storage=s3 "bucket=$DEVBOX_REGISTRY_S3_BUCKET" "region=${DEVBOX_REGISTRY_S3_REGION:-us-east-1}" \
        "endpoint=${endpoint%/}" "root=$root"
      ;;
    *) die "DEVBOX_REGISTRY_STORAGE must be filesystem or s3 (got '$kind')" ;;
  esac
}

# key -> value from settings lines on stdin
setting() { sed -n "s/^$1=//p" | head -1; }

# The store's identity: what must not change under a running cluster's images.
registry_store_id() { # settings
  local s="$1"
  case "$(setting storage <<<"$s")" in
    s3) echo "s3 $(setting endpoint <<<"$s") $(setting bucket <<<"$s") /$(setting root <<<"$s" | sed 's#^/*##')" ;;
    *) echo filesystem ;;
  esac
}

# Settings for this up: the variables when DEVBOX_REGISTRY_STORAGE is set, else what an earlier up
# chose, else the filesystem. Refuses a switch to another store.
registry_settings() {
  local saved="" want
  [[ -f $REGISTRY_SETTINGS ]] && saved=$(<"$REGISTRY_SETTINGS")
  # a cluster from before storage.env existed: its images are on the filesystem
  [[ -z $saved && -d $REGISTRY_FS_ROOT/docker ]] && saved="storage=filesystem"
  if [[ -z ${DEVBOX_REGISTRY_STORAGE:-} && -n $saved ]]; then echo "$saved"; return; fi
  # `|| exit`: a command substitution does not inherit set -e, so a refusal must be passed on by hand
  want=$(registry_settings_from_env) || exit 1
  if [[ -n $saved && $(registry_store_id "$saved") != "$(registry_store_id "$want")" ]]; then
    die "the registry of $STATE_DIR keeps its images in '$(registry_store_id "$saved")'; this up asks for '$(registry_store_id "$want")'.
    Switching would leave every runtime image and devbox snapshot behind. Set DEVBOX_REGISTRY_* as before
    (or unset DEVBOX_REGISTRY_STORAGE to use the remembered store); to move, copy the images to the new
    store (skopeo sync) with the cluster down, then delete $REGISTRY_SETTINGS."
  fi
  echo "$want"
}

# DEVBOX_REGISTRY_S3_<NAME> or the file named by DEVBOX_REGISTRY_S3_<NAME>_FILE
s3_secret_from_env() { # NAME
  local var="DEVBOX_REGISTRY_S3_$1" file_var="DEVBOX_REGISTRY_S3_$1_FILE" v=""
  if [[ -n ${!var:-} ]]; then v=${!var}
  elif [[ -n ${!file_var:-} ]]; then
    [[ -r ${!file_var} ]] || die "$file_var=${!file_var} is not a readable file"
    v=$(<"${!file_var}")
  fi
  v=${v%$'\n'}
  [[ $v != *$'\n'* ]] || die "$var must be one line"
  echo "$v"
}

# Keeps the S3 keys given to this up (or those of an earlier up) in $REGISTRY_S3_CREDENTIALS.
ensure_s3_credentials() {
  local access secret
  access=$(s3_secret_from_env ACCESS_KEY); secret=$(s3_secret_from_env SECRET_KEY)
  if [[ -z $access && -z $secret && -s $REGISTRY_S3_CREDENTIALS ]]; then return; fi
  # No fallback to the AWS SDK's credential chain: on a plain host it ends at the cloud metadata address.
  [[ -n $access && -n $secret ]] ||
    die "DEVBOX_REGISTRY_STORAGE=s3 needs DEVBOX_REGISTRY_S3_ACCESS_KEY and DEVBOX_REGISTRY_S3_SECRET_KEY (or their _FILE variants)"
  (umask 077; printf 'access=%s\nsecret=%s\n' "$access" "$secret" >"$REGISTRY_S3_CREDENTIALS.tmp")
  mv "$REGISTRY_S3_CREDENTIALS.tmp" "$REGISTRY_S3_CREDENTIALS"
}

# The storage: block's driver part for the settings. `forcepathstyle` is for distribution v3 (2.8 forces path-style itself when an
# endpoint is set, and ignores the key); S3-compatible servers rarely serve bucket subdomains.
registry_storage_yaml() { # settings fs-root
  local s="$1"
  if [[ $(setting storage <<<"$s") == s3 ]]; then
    local endpoint; endpoint=$(setting endpoint <<<"$s")
    cat <<YML
  s3:
    bucket: $(setting bucket <<<"$s")
    region: $(setting region <<<"$s")
YML
    [[ -n $endpoint ]] && cat <<YML
    regionendpoint: $endpoint
    forcepathstyle: true
    secure: $([[ $endpoint == https://* ]] && echo true || echo false)
YML
    cat <<YML
    rootdirectory: /$(setting root <<<"$s" | sed 's#^/*##')
    v4auth: true
  redirect:
    disable: true   # clients fetch blobs through the registry, never from the bucket directly
YML
  else
    cat <<YML
  filesystem:
    rootdirectory: $2
YML
  fi
}

# The whole config.yml. Also `bash cluster/lib/registry.sh config`: the S3 keys are not in it, they
# come from the environment. deploy/ does not call this: the install's registry config is written
# out in deploy/base/registry.yaml and deploy/components/registry-s3 (keep them in step).
registry_config_yaml() { # settings fs-root listen-addr
  cat <<YML
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
$(registry_storage_yaml "$1" "$2")
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: true
      age: 24h
      interval: 6h
      dryrun: false
http:
  addr: $3
  headers:
    X-Content-Type-Options: [nosniff]
YML
}

write_registry_config() {
  local settings
  mkdir -p "$REGISTRY_DIR"
  settings=$(registry_settings) || exit 1
  if [[ $(setting storage <<<"$settings") == s3 ]]; then ensure_s3_credentials; else mkdir -p "$REGISTRY_FS_ROOT"; fi
  echo "$settings" >"$REGISTRY_SETTINGS"
  registry_config_yaml "$settings" "$REGISTRY_FS_ROOT" "$REGISTRY" >"$REGISTRY_CONFIG.tmp"
  mv "$REGISTRY_CONFIG.tmp" "$REGISTRY_CONFIG"
}

registry_uses_s3() { grep -q '^storage=s3$' "$REGISTRY_SETTINGS" 2>/dev/null; }

registry_storage_desc() {
  if registry_uses_s3; then
    local s; s=$(<"$REGISTRY_SETTINGS")
    local endpoint; endpoint=$(setting endpoint <<<"$s")
    echo "S3 bucket $(setting bucket <<<"$s") at ${endpoint:-AWS S3, $(setting region <<<"$s")}"
  else
    echo "filesystem $REGISTRY_FS_ROOT"
  fi
}

# Runs docker-registry <args> with what its storage needs in the environment: the S3 keys, and no
# AWS_CA_BUNDLE (distribution 2.8's S3 driver panics on it: "unable to load custom CA bundle,
# HTTPClient's transport unsupported type"; Go's own SSL_CERT_FILE still applies). `local -x`
# exports them to this call's children only.
with_registry_env() { # command...
  local -x REGISTRY_STORAGE_S3_ACCESSKEY REGISTRY_STORAGE_S3_SECRETKEY
  if registry_uses_s3; then
    [[ -r $REGISTRY_S3_CREDENTIALS ]] || die "no S3 keys in $REGISTRY_S3_CREDENTIALS (run up with DEVBOX_REGISTRY_S3_ACCESS_KEY/SECRET_KEY)"
    REGISTRY_STORAGE_S3_ACCESSKEY=$(setting access <"$REGISTRY_S3_CREDENTIALS")
    REGISTRY_STORAGE_S3_SECRETKEY=$(setting secret <"$REGISTRY_S3_CREDENTIALS")
  else
    unset REGISTRY_STORAGE_S3_ACCESSKEY REGISTRY_STORAGE_S3_SECRETKEY
  fi
  "$@"
}

# The registry process, detached (start_bg); also used by registry GC to start it again.
registry_start_bg() {
  with_registry_env start_bg registry env -u AWS_CA_BUNDLE docker-registry serve "$REGISTRY_CONFIG"
}

start_registry() {
  write_registry_config
  already_running registry registry_ok && return
  stop_component registry >/dev/null
  step "starting registry on $REGISTRY ($(registry_storage_desc))"
  registry_start_bg
  wait_for registry "answering on http://$REGISTRY/v2/" registry_ok
}

registry_ok() { curl -sf --max-time 2 "http://$REGISTRY/v2/" >/dev/null; }

# ---- S3 API (bucket listing for storage sizes) -------------------------------------------------
# s3_curl (lib/common.sh) signs the query as written, so every value is percent-encoded here the
# way SigV4's canonical form wants it (jq's @uri keeps only unreserved characters).

uri_encode() { jq -rn --arg v "$1" '$v | @uri'; }

# Total bytes of the objects under the registry's root in the bucket (ListObjectsV2, paged).
s3_registry_bytes() {
  local s endpoint bucket prefix region url token="" page total=0 sizes access secret
  s=$(<"$REGISTRY_SETTINGS")
  endpoint=$(setting endpoint <<<"$s"); bucket=$(setting bucket <<<"$s"); region=$(setting region <<<"$s")
  [[ -n $endpoint ]] || endpoint="https://s3.$region.amazonaws.com"
  prefix="$(setting root <<<"$s" | sed 's#^/*##; s#/*$##')"
  [[ -n $prefix ]] && prefix+=/
  access=$(setting access <"$REGISTRY_S3_CREDENTIALS"); secret=$(setting secret <"$REGISTRY_S3_CREDENTIALS")
  while :; do
    # parameters in SigV4's canonical (sorted) order: curl signs the query as written
    url="$endpoint/$bucket?"
    [[ -n $token ]] && url+="continuation-token=$(uri_encode "$token")&"
    url+="list-type=2&max-keys=${DEVBOX_S3_LIST_PAGE:-1000}&prefix=$(uri_encode "${prefix}docker/")"
    page=$(s3_curl "$region" "$access" "$secret" -sS --fail-with-body --max-time 60 "$url") ||
      { echo "listing s3://$bucket/${prefix} failed: $page" >&2; return 1; }
    sizes=$(grep -o '<Size>[0-9]*</Size>' <<<"$page" | tr -dc '0-9\n' || true)
    [[ -n $sizes ]] && total=$((total + $(paste -sd+ <<<"$sizes")))
    grep -q '<IsTruncated>true</IsTruncated>' <<<"$page" || break
    token=$(sed -n 's#.*<NextContinuationToken>\([^<]*\)</NextContinuationToken>.*#\1#p' <<<"$page")
    [[ -n $token ]] || { echo "listing s3://$bucket/${prefix}: truncated page without a continuation token" >&2; return 1; }
  done
  echo "$total"
}

# Bytes the registry's storage holds, wherever it is.
registry_storage_bytes() {
  if registry_uses_s3; then s3_registry_bytes; else du -sb "$REGISTRY_FS_ROOT" | cut -f1; fi
}

# Run directly (a second registry for tests, or by hand): DEVBOX_CLUSTER_DIR / DEVBOX_REGISTRY /
# DEVBOX_REGISTRY_STORAGE / DEVBOX_REGISTRY_S3_* as for up.
#   bash cluster/lib/registry.sh start    write the config and start the registry (idempotent)
#   bash cluster/lib/registry.sh stop
#   bash cluster/lib/registry.sh bytes    what its storage holds
#   bash cluster/lib/registry.sh config [LISTEN [FS_ROOT]]
#                                         print a config.yml for the DEVBOX_REGISTRY_STORAGE/_S3_*
#                                         settings (no state, no keys; default :5000, /var/lib/registry)
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  if [[ ${1:-} == config ]]; then
    settings=$(registry_settings_from_env)   # its own line: a refusal must stop here
    registry_config_yaml "$settings" "${3:-/var/lib/registry}" "${2:-:5000}"
    exit 0
  fi
  ensure_dirs
  case "${1:-}" in
    start) start_registry ;;
    stop) stop_component registry ;;
    bytes) registry_storage_bytes ;;
    *) echo "usage: bash cluster/lib/registry.sh start|stop|bytes|config" >&2; exit 2 ;;
  esac
fi
