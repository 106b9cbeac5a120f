# An S3-compatible object server on loopback, for the registry's S3 storage tests and for trying
# DEVBOX_REGISTRY_STORAGE=s3 on one machine: versitygw (github.com/versity/versitygw, Apache-2.0,
# a maintained S3 gateway) with its posix backend — buckets are directories, objects files, under
# a data dir. Built from the Go module proxy in its own module cluster/s3-server/ into
# $CACHE_DIR/bin/versitygw-<version>/ (outside the repo; the recipe hash skips rebuilds).
#
#   bash cluster/lib/s3-server.sh build                    build if needed; prints the binary's path
#   DEVBOX_S3_ACCESS_KEY=… DEVBOX_S3_SECRET_KEY=… \
#   bash cluster/lib/s3-server.sh start DIR 127.0.0.1:PORT [BUCKET...]
#                                                          start in the background (data DIR/data, log
#                                                          DIR/server.log, pid DIR/server.pid), wait
#                                                          until it answers, create the buckets
#   bash cluster/lib/s3-server.sh stop DIR
#
# The keys reach the server in its environment (versitygw's ROOT_ACCESS_KEY_ID/…), never in argv.
# It starts with an empty environment otherwise: versitygw reads ~100 VGW_* variables.

# Run directly (commands at the end): the shared settings first.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -Eeuo pipefail
  CLUSTER_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  for f in common binaries; do
    # shellcheck source=/dev/null
    source "$CLUSTER_SRC/lib/$f.sh"
  done
fi

S3_SERVER_VERSION="v1.8.0"
S3_SERVER_BIN_DIR="$CACHE_DIR/bin/versitygw-$S3_SERVER_VERSION"
S3_SERVER_BIN="$S3_SERVER_BIN_DIR/versitygw"

s3_server_recipe_hash() { module_recipe_hash s3-server "$S3_SERVER_VERSION"; }

ensure_s3_server_binary() {
  build_module_binary versitygw s3-server "$S3_SERVER_BIN_DIR" "$(s3_server_recipe_hash)" \
    "-s -w -X main.Version=$S3_SERVER_VERSION -X main.Build=devbox-module-build" \
    github.com/versity/versitygw/cmd/versitygw "versitygw $S3_SERVER_VERSION (S3-compatible server)"
}

s3_server_keys() {
  [[ -n ${DEVBOX_S3_ACCESS_KEY:-} && -n ${DEVBOX_S3_SECRET_KEY:-} ]] ||
    die "set DEVBOX_S3_ACCESS_KEY and DEVBOX_S3_SECRET_KEY (the server's root key pair)"
  ((${#DEVBOX_S3_SECRET_KEY} >= 8)) || die "DEVBOX_S3_SECRET_KEY must have at least 8 characters"
  [[ $DEVBOX_S3_ACCESS_KEY$DEVBOX_S3_SECRET_KEY != *[\"\\[:space:]]* ]] || die "the S3 keys may not hold quotes, backslashes or spaces"
}

# Test traffic stays on this machine: only loopback addresses are served.
s3_server_listen_ok() {
  [[ $1 =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+:[0-9]+$ || $1 =~ ^\[::1\]:[0-9]+$ ]] ||
    die "listen address must be a loopback address with a port, like 127.0.0.1:9000 (got '$1')"
}

s3_server_pid() { # dir -> pid of the server started there, if it runs
  local pid
  pid=$(cat "$1/server.pid" 2>/dev/null) || return 1
  [[ -n $pid && $(readlink "/proc/$pid/exe" 2>/dev/null) == "$S3_SERVER_BIN" ]] && echo "$pid"
}

s3_server_start() { # dir listen bucket...
  local dir="$1" listen="$2" pid i; shift 2
  s3_server_listen_ok "$listen"
  local b; for b in "$@"; do [[ $b =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || die "'$b' is not an S3 bucket name"; done
  s3_server_keys
  ensure_s3_server_binary >&2
  mkdir -p "$dir/data"
  dir=$(cd "$dir" && pwd)
  if pid=$(s3_server_pid "$dir"); then die "an S3 server already runs from $dir (pid $pid)"; fi
  # an answer now would be another server's, and ours would fail to bind
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://$listen/" || true) == 000 ]] || die "something already answers on $listen"
  printf '\n===== %s starting versitygw on %s =====\n' "$(date -Is)" "$listen" >>"$dir/server.log"
  (
    cd /
    local access="$DEVBOX_S3_ACCESS_KEY" secret="$DEVBOX_S3_SECRET_KEY" v
    for v in $(compgen -e); do unset "$v"; done
    close_inherited_fds   # lib/common.sh
    export PATH=/usr/sbin:/usr/bin:/sbin:/bin ROOT_ACCESS_KEY_ID="$access" ROOT_SECRET_ACCESS_KEY="$secret"
    exec setsid "$S3_SERVER_BIN" --port "$listen" --quiet posix "$dir/data" </dev/null >>"$dir/server.log" 2>&1
  ) &
  pid=$!
  echo "$pid" >"$dir/server.pid"
  for ((i = 0; i < 100; i++)); do
    # any HTTP answer (403 to an anonymous request) means it serves
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://$listen/" || true) =~ ^[1-5][0-9][0-9]$ ]] && break
    alive "$pid" || { tail -n 15 "$dir/server.log" >&2; die "the S3 server exited; log: $dir/server.log"; }
    sleep 0.1
  done
  ((i < 100)) || { s3_server_stop "$dir"; die "the S3 server did not answer on $listen within 10 s; log: $dir/server.log"; }
  local bucket code
  for bucket in "$@"; do
    code=$(s3_curl us-east-1 "$DEVBOX_S3_ACCESS_KEY" "$DEVBOX_S3_SECRET_KEY" -s -o "$dir/create-bucket.out" -w '%{http_code}' -X PUT "http://$listen/$bucket")
    # 409 BucketAlreadyOwnedByYou: made by an earlier start on the same data dir
    [[ $code == 200 ]] || { [[ $code == 409 ]] && grep -q BucketAlreadyOwnedByYou "$dir/create-bucket.out"; } || {
      s3_server_stop "$dir"; die "creating bucket $bucket failed (HTTP $code): $(cat "$dir/create-bucket.out")"
    }
  done
  echo "S3 server (versitygw $S3_SERVER_VERSION) on http://$listen, pid $(cat "$dir/server.pid"), data $dir/data${*:+, buckets: $*}"
}

s3_server_stop() { # dir
  local pid i
  pid=$(s3_server_pid "$1") || { rm -f "$1/server.pid"; return 0; }
  kill -TERM "$pid"
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$1/server.pid"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  case "${1:-}" in
    build) ensure_s3_server_binary >&2; echo "$S3_SERVER_BIN" ;;
    start) (($# >= 3)) || die "usage: s3-server.sh start DIR 127.0.0.1:PORT [BUCKET...]"; shift; s3_server_start "$@" ;;
    stop) (($# == 2)) || die "usage: s3-server.sh stop DIR"; s3_server_stop "$2" ;;
    *) echo "usage: bash cluster/lib/s3-server.sh build | start DIR 127.0.0.1:PORT [BUCKET...] | stop DIR" >&2; exit 2 ;;
  esac
fi
