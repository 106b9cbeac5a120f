# Shared settings, logging and process helpers.

K8S_VERSION="v1.34.4"
ETCD_VERSION="v3.6.4"   # the etcd server version k8s.io/kubernetes v1.34.4 itself pins

STATE_DIR="${DEVBOX_CLUSTER_DIR:-/var/lib/devbox-cluster}"
CACHE_DIR="${DEVBOX_CACHE_DIR:-${HOME:-/root}/.cache/devbox}"
REGISTRY="${DEVBOX_REGISTRY:-127.0.0.1:${DEVBOX_REGISTRY_PORT:-5000}}"
REGISTRY_PORT="${REGISTRY##*:}"
APISERVER_PORT="${DEVBOX_APISERVER_PORT:-6443}"
ETCD_PORT="${DEVBOX_ETCD_PORT:-2379}"
ETCD_PEER_PORT="${DEVBOX_ETCD_PEER_PORT:-2380}"
ETCD_METRICS_PORT="${DEVBOX_ETCD_METRICS_PORT:-2381}"
KUBELET_PORT="${DEVBOX_KUBELET_PORT:-10250}"
KUBELET_HEALTHZ_PORT="${DEVBOX_KUBELET_HEALTHZ_PORT:-10248}"
KCM_PORT="${DEVBOX_KCM_PORT:-10257}"
SCHEDULER_PORT="${DEVBOX_SCHEDULER_PORT:-10259}"
POD_CIDR="${DEVBOX_POD_CIDR:-10.88.0.0/16}"
SERVICE_CIDR="${DEVBOX_SERVICE_CIDR:-10.96.0.0/16}"
NODE_NAME="${DEVBOX_NODE_NAME:-devbox-node}"
BRIDGE="${DEVBOX_BRIDGE:-devbox0}"
CNI_NETWORK="${DEVBOX_CNI_NETWORK:-devbox}"   # name in the CNI conflist; tags its iptables rules
MIN_FREE_GB="${DEVBOX_MIN_FREE_GB:-4}"
# kubelet's cgroup root: pods live in <root>/kubepods. A second cluster on the
# same host needs its own, or each kubelet would reap the other's pod cgroups.
CGROUP_ROOT="${DEVBOX_CGROUP_ROOT:-/}"
UP_TIMEOUT="${DEVBOX_UP_TIMEOUT:-120}"   # seconds per component health wait

PKI="$STATE_DIR/pki"
KCFG="$STATE_DIR/kubeconfig"
LOGS="$STATE_DIR/logs"
RUN="$STATE_DIR/run"
CTRD_DIR="$STATE_DIR/containerd"
CTRD_SOCK="$CTRD_DIR/containerd.sock"
ADMIN_KUBECONFIG="$KCFG/admin.kubeconfig"
DASHBOARD_KUBECONFIG="$KCFG/dashboard.kubeconfig"
PAUSE_IMAGE="$REGISTRY/devbox/pause:3.10"

# Start order; down goes in reverse.
COMPONENTS="registry containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet"

if [[ -t 1 ]]; then C_B=$'\e[1m'; C_R=$'\e[31m'; C_G=$'\e[32m'; C_Y=$'\e[33m'; C_0=$'\e[0m'; else C_B= C_R= C_G= C_Y= C_0=; fi
T0=$SECONDS
step() { printf '%s==> %s%s %s(%ss)%s\n' "$C_B" "$*" "$C_0" "$C_Y" "$((SECONDS - T0))" "$C_0"; }
info() { printf '    %s\n' "$*"; }
warn() { printf '%swarning:%s %s\n' "$C_Y" "$C_0" "$*" >&2; }
die() { printf '%serror:%s %s\n' "$C_R" "$C_0" "$*" >&2; exit 1; }

# Exit codes: 1 = something this invocation started (or built) failed; 2 = usage or a refused
# confirmation; 3 = the cluster was already running and one of its parts is unhealthy (nothing
# was stopped: see report_unhealthy).
EXIT_UNHEALTHY=3
UP_REPORTED=0   # set before exiting with a report that must leave everything running

ensure_dirs() { mkdir -p "$PKI" "$KCFG" "$LOGS" "$RUN" "$CTRD_DIR"; chmod 700 "$PKI" "$KCFG"; }

kubectl_admin() { "$BIN_DIR/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }

# ---- processes ---------------------------------------------------------------
# A process is "ours" when its command line mentions our state dir: every
# component gets a flag or config path under it. This survives lost pid files.

declare -gA STARTED=()   # component -> pid started by this invocation
declare -ga STARTED_ORDER=()   # the same components, in start order (a failed up stops them in reverse)

pid_of() { # component -> pid if running (from pid file, verified)
  local f="$RUN/$1.pid" pid
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  # started by us just now: between fork and exec its cmdline is still ours (bash),
  # so the cmdline check below would wrongly call it stale
  if [[ -n $pid && ${STARTED[$1]:-} == "$pid" ]] && alive "$pid"; then echo "$pid"; return 0; fi
  if [[ -n $pid && -r /proc/$pid/cmdline ]] && grep -qaF -- "$STATE_DIR/" "/proc/$pid/cmdline"; then
    echo "$pid"; return 0
  fi
  rm -f "$f"   # stale pid file from a killed run
  return 1
}

# pids of processes whose argv mentions a path under the state dir and whose
# program name (basename of argv[0]) is $1 (any program if $1 is empty).
# "$STATE_DIR/" with the slash: /var/lib/devbox-cluster must not match
# /var/lib/devbox-cluster-other. One grep over /proc instead of a fork per process.
find_ours() {
  local pattern="$1" f pid a0 netns
  netns=$(readlink /proc/self/ns/net)
  for f in $(grep -laF -- "$STATE_DIR/" /proc/[0-9]*/cmdline 2>/dev/null); do
    pid=${f#/proc/}; pid=${pid%/cmdline}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    # another network namespace is another node (lib/node2.sh), which stops its own processes
    [[ $(readlink "/proc/$pid/ns/net" 2>/dev/null) == "$netns" ]] || continue
    IFS= read -r -d '' a0 <"$f" 2>/dev/null || [[ -n $a0 ]] || continue
    a0=${a0##*/}
    [[ -z $pattern || $a0 == "$pattern" ]] || continue
    echo "$pid"
  done
}

# pid of a running <program> that is not ours (another cluster on this host), if any
foreign_pid() {
  local pid
  for pid in $(pgrep -x "$1" 2>/dev/null); do
    grep -qaF -- "$STATE_DIR/" "/proc/$pid/cmdline" 2>/dev/null || { echo "$pid"; return 0; }
  done
  return 1
}

proc_start_epoch() { # pid -> start time, seconds since the epoch
  local ticks; ticks=$(sed 's/.*) //' "/proc/$1/stat" | awk '{print $20}')
  echo $(($(awk '/^btime/ {print $2}' /proc/stat) + ticks / $(getconf CLK_TCK)))
}

# In the subshell that execs a daemon: closes every fd but stdin/out/err, so no lock or pipe of
# the caller lives on in the daemon.
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
}

# start_bg component binary args... : detached (own session), logs to $LOGS/<component>.log
start_bg() {
  local name="$1"; shift
  local log="$LOGS/$name.log"
  printf '\n===== %s starting %s =====\n' "$(date -Is)" "$name" >>"$log"
  # The daemon keeps only stdin/out/err: no lock fd may live on in it (our up/down and
  # registry-gc locks, or a caller's `flock <file> devbox-cluster up` without -o), or the lock
  # would be held until the daemon exits.
  (
    close_inherited_fds
    exec setsid "$@" </dev/null >>"$log" 2>&1
  ) &
  STARTED[$name]=$!
  STARTED_ORDER+=("$name")
  echo $! >"$RUN/$name.pid"
}

# alive and not a zombie (a just-forked child may not have exec'd yet, so no
# cmdline check here; pid_of does that for pid files of earlier runs)
alive() {
  local st
  [[ -r /proc/$1/stat ]] || return 1
  read -r _ _ st _ <"/proc/$1/stat" 2>/dev/null || return 1
  [[ $st != Z ]]
}

stop_pid() { # pid name [timeout]
  local pid="$1" name="$2" t="${3:-20}" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < t * 10; i++)); do
    alive "$pid" || return 0   # not kill -0: an exited daemon stays a zombie until init reaps it
    sleep 0.1
  done
  warn "$name (pid $pid) ignored SIGTERM for ${t}s; killing"
  kill -KILL "$pid" 2>/dev/null || true
}

stop_component() {
  local name="$1" pid
  if pid=$(pid_of "$name"); then
    local t=$SECONDS
    stop_pid "$pid" "$name"
    info "stopped $name (pid $pid, $((SECONDS - t))s)"
  fi
  rm -f "$RUN/$name.pid"
  # also stray copies started by a run whose pid files were lost
  local bin="$name"; [[ $name == registry ]] && bin=docker-registry
  for pid in $(find_ours "$bin"); do
    stop_pid "$pid" "$name"; info "stopped stray $name (pid $pid)"
  done
}

# wait_for component description command...: poll until the command succeeds,
# the process dies, or UP_TIMEOUT passes.
wait_for() {
  local name="$1" what="$2"; shift 2
  local deadline=$((SECONDS + UP_TIMEOUT))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [[ -n ${STARTED[$name]:-} ]]; then
      alive "${STARTED[$name]}" || fail_component "$name" "exited before $what"
    elif ! pid_of "$name" >/dev/null; then
      fail_component "$name" "exited before $what"
    fi
    sleep 0.3
  done
  fail_component "$name" "not $what after ${UP_TIMEOUT}s"
}

fail_component() {
  local name="$1" why="$2"
  printf '%serror:%s %s %s. Last lines of its log %s:\n' "$C_R" "$C_0" "$name" "$why" "$LOGS/$name.log" >&2
  tail -n 15 "$LOGS/$name.log" 2>/dev/null | sed 's/^/    | /' >&2
  exit 1   # the EXIT trap of `up` stops what this invocation started (and nothing else)
}

# report_unhealthy part why fix...: a part this invocation did not start is unhealthy. Says so,
# says how to fix it, and exits 3 leaving everything running: stopping a running cluster would
# take every devbox's unsaved changes with it.
report_unhealthy() {
  local name="$1" why="$2" line; shift 2
  printf '%serror:%s %s %s\n' "$C_R" "$C_0" "$name" "$why" >&2
  for line in "$@"; do printf '%s\n' "$line" | sed 's/^/    /' >&2; done
  printf '    Nothing was stopped: the cluster and its devboxes keep running. Run up again once it is fixed.\n' >&2
  UP_REPORTED=1
  exit "$EXIT_UNHEALTHY"
}

# already_running component ok-fn: 0 when the component runs and is healthy (kept as it is).
# A running but unhealthy copy gets UP_TIMEOUT to recover (it may be starting), then is reported,
# never restarted: up does not stop what it did not start. 1 when nothing runs (start it).
already_running() {
  local name="$1" ok="$2" pid deadline
  pid=$(pid_of "$name") || pid=$(adopt_stray "$name") || return 1
  if "$ok" >/dev/null 2>&1; then step "$name already running (pid $pid)"; return 0; fi
  info "$name (pid $pid) runs but is not healthy; waiting up to ${UP_TIMEOUT}s"
  deadline=$((SECONDS + UP_TIMEOUT))
  while ((SECONDS < deadline)); do
    alive "$pid" || { warn "$name (pid $pid) exited; starting it"; rm -f "$RUN/$name.pid"; return 1; }
    if "$ok" >/dev/null 2>&1; then step "$name already running (pid $pid)"; return 0; fi
    sleep 1
  done
  report_unhealthy "$name" "is running (pid $pid) but not healthy after ${UP_TIMEOUT}s." \
    "Last lines of its log $LOGS/$name.log:" \
    "$(tail -n 10 "$LOGS/$name.log" 2>/dev/null | sed 's/^/| /')" \
    "To restart it: kill $pid (up starts it again), then run up."
}

# A healthy component whose pid file was lost (an earlier run killed mid-write): adopt the one
# copy that runs instead of restarting it.
adopt_stray() {
  local name="$1" bin="$1" pids
  [[ $name == registry ]] && bin=docker-registry
  pids=($(find_ours "$bin"))
  ((${#pids[@]} == 1)) || return 1
  echo "${pids[0]}" >"$RUN/$name.pid"
  echo "${pids[0]}"
}

# A component this up restarted in place of a running one (an outdated apiserver): once it is
# healthy it is the running cluster's again, which a later failure of this up must not stop.
keep_on_failure() { # name
  local name="$1" i kept=()
  for i in "${STARTED_ORDER[@]}"; do [[ $i == "$name" ]] || kept+=("$i"); done
  STARTED_ORDER=("${kept[@]}")
  unset "STARTED[$name]"
}

# Stops, newest first, the components this invocation started; nothing else.
stop_started() {
  local i name
  for ((i = ${#STARTED_ORDER[@]} - 1; i >= 0; i--)); do
    name=${STARTED_ORDER[i]}
    if alive "${STARTED[$name]}"; then stop_pid "${STARTED[$name]}" "$name"; info "stopped $name (pid ${STARTED[$name]}), started by this up"; fi
    rm -f "$RUN/$name.pid"
  done
}

# An S3 request with an empty body, signed with SigV4 by curl (7.75+; it signs the query as
# written). The key pair goes to curl on stdin as a quoted config line, never in argv.
S3_EMPTY_PAYLOAD_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
curl_quote() { local v=${1//\\/\\\\}; echo "${v//\"/\\\"}"; }
s3_curl() { # region access-key secret-key curl-args...
  local region="$1" access="$2" secret="$3"; shift 3
  printf 'user = "%s:%s"\n' "$(curl_quote "$access")" "$(curl_quote "$secret")" |
    curl -K - --aws-sigv4 "aws:amz:$region:s3" -H "x-amz-content-sha256: $S3_EMPTY_PAYLOAD_SHA256" "$@"
}

# https health check with the admin client cert
https_ok() { curl -sf --max-time 3 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$1"; }

node_ip() {
  # kubelet refuses a loopback node IP; use the address of the default route.
  if [[ -n ${DEVBOX_NODE_IP:-} ]]; then echo "$DEVBOX_NODE_IP"; return; fi
  local ip
  ip=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -1)
  [[ -n $ip ]] || ip=$(hostname -I 2>/dev/null | awk '{print $1}')
  [[ -n $ip ]] || die "cannot find a non-loopback IPv4 address for the node; set DEVBOX_NODE_IP"
  echo "$ip"
}

# cgroup v1 hierarchies (plus the v2 one on a unified host) kubelet uses
cgroup_dirs() {
  if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then echo /sys/fs/cgroup; return; fi  # pure v2
  local d
  for d in /sys/fs/cgroup/*/; do
    mountpoint -q "$d" && [[ -f ${d}cgroup.procs ]] && echo "${d%/}"
  done
}

kubepods_dirs() { local d; for d in $(cgroup_dirs); do echo "$d${CGROUP_ROOT%/}/kubepods"; done; }

ensure_cgroup_root() {
  [[ $CGROUP_ROOT == / ]] && return 0
  local d
  for d in $(cgroup_dirs); do
    mkdir -p "$d$CGROUP_ROOT"
    if [[ $d == */cpuset ]]; then # a new cpuset is empty until given cpus and mems
      cat "$d/cpuset.cpus" >"$d$CGROUP_ROOT/cpuset.cpus"
      cat "$d/cpuset.mems" >"$d$CGROUP_ROOT/cpuset.mems"
    fi
  done
}
