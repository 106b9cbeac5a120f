# The commands: up, down, status, logs, env.

UP_OK=0
# A failed up stops only the components it started itself, and never removes a pod, a mount or
# the network: a cluster that was already running (with devboxes in it) stays as it was.
on_up_exit() {
  local rc=$?
  ((UP_OK)) && return
  trap - EXIT ERR
  if ((UP_REPORTED)) || ((${#STARTED_ORDER[@]} == 0)); then
    printf '%sup did not finish%s; nothing was stopped\n' "$C_R" "$C_0" >&2
  else
    printf '%sup failed%s; stopping what this up started: %s (data in %s is kept)\n' "$C_R" "$C_0" "${STARTED_ORDER[*]}" "$STATE_DIR" >&2
    stop_started >&2 || true
  fi
  exit "$((rc ? rc : 1))"
}

cmd_up() {
  local nodes=""
  while (($#)); do
    case $1 in
      --nodes) (($# >= 2)) || { echo "devbox-cluster up: --nodes needs a value (1 or 2)" >&2; exit 2; }; nodes="$2"; shift 2 ;;
      --nodes=*) nodes="${1#--nodes=}"; shift ;;
      *) echo "devbox-cluster up: unknown argument '$1' (--nodes 1|2)" >&2; exit 2 ;;
    esac
  done
  [[ -z $nodes || $nodes == 1 || $nodes == 2 ]] || { echo "devbox-cluster up: --nodes takes 1 or 2 (got '$nodes')" >&2; exit 2; }
  [[ $nodes == 1 ]] && n2_configured && die "node 2 ($N2_NAME) is part of this cluster; remove it with: devbox-cluster node remove 2"
  preflight
  exec 9>"$RUN/lock"
  flock -n 9 || die "another devbox-cluster command holds $RUN/lock"
  # first: an apiserver still running on 0.0.0.0 from an earlier up is guarded again even when a
  # later step fails (start_apiserver applies it too, before it starts one)
  if [[ -n $(pid_of kube-apiserver 2>/dev/null) ]]; then ensure_apiserver_guard; fi
  ensure_binaries
  trap on_up_exit EXIT
  ensure_certs
  start_registry
  ensure_images
  start_containerd
  start_etcd
  start_apiserver
  apply_rbac
  start_controller_manager
  start_scheduler
  ensure_service_guard   # before any Pod runs: no ClusterIP connection leaves the machine (lib/network.sh)
  ensure_pod_bridge   # lib/network.sh
  start_kubelet
  wait_node_ready
  start_kube_proxy   # ClusterIPs and NodePorts (lib/kube-proxy.sh)
  if [[ -n $(pid_of kube-proxy 2>/dev/null) ]]; then   # Pods reach the apiserver (lib/control-plane.sh)
    wait_for kube-apiserver "reachable through the kubernetes Service ($(first_service_ip):443 -> $(node_ip):$APISERVER_PORT)" kubernetes_service_ok
  fi
  start_netpol   # NetworkPolicy enforcer (lib/netpol.sh)
  ensure_coredns   # cluster DNS (lib/coredns.sh)
  ensure_metrics_server   # Metrics API (lib/metrics-server.sh)
  ensure_dashboard_access   # non-root dashboard: kubeconfig group, registry GC socket (lib/dashboard-access.sh)
  if [[ ${DEVBOX_SKIP_AGENT:-} == 1 ]]; then
    step "node agent skipped (DEVBOX_SKIP_AGENT=1)"
  else
    ensure_agent
  fi
  # a second node in its own network namespace (lib/node2.sh); kept by later plain `up`s
  if [[ $nodes == 2 ]] || n2_configured; then ensure_node2; fi
  UP_OK=1
  trap - EXIT
  step "${C_G}cluster is up${C_0}"
  cat <<MSG
    admin kubeconfig:     $ADMIN_KUBECONFIG
    dashboard kubeconfig: $DASHBOARD_KUBECONFIG   (user devbox:dashboard)
    registry:             http://$REGISTRY   containerd: $CTRD_SOCK
    try: export KUBECONFIG=$ADMIN_KUBECONFIG; $BIN_DIR/kubectl get nodes
MSG
}

# Stop processes, mounts, network; keep data. `teardown keep` (down): containers are stopped
# gracefully and kept, so the next up's kubelet reports them exited and the dashboard commits
# their writable layers (dead-Pod recovery). `teardown` (down --purge): pods are removed too.
teardown() {
  local c keep="${1:-}"
  stop_netpol   # NetworkPolicy enforcer (lib/netpol.sh), before its API goes away
  stop_kube_proxy   # lib/kube-proxy.sh; removes its rules
  stop_component registry-gc-helper   # lib/dashboard-access.sh
  step "stopping kubelet and the control plane"
  for c in kubelet kube-scheduler kube-controller-manager kube-apiserver; do stop_component "$c"; done
  if [[ $keep == keep ]]; then
    step "stopping containers (SIGTERM, ${DOWN_GRACE}s to exit, then SIGKILL); they are kept"
    stop_containers
  else
    step "removing pod sandboxes (CRI) and tasks"
    remove_pods
  fi
  step "stopping containerd, etcd, registry; cleaning mounts, network, cgroups"
  for c in containerd etcd registry; do stop_component "$c"; done
  kill_leftovers
  unmount_all
  remove_network
  remove_cgroups
  remove_host_traces
}

# The few things kubelet/CNI put outside the state dir by design: /var/log/containers
# symlinks into our pod logs, libcni's result cache entries for our network.
remove_host_traces() {
  local l
  for l in /var/log/containers/*.log; do
    if [[ -L $l && $(readlink "$l") == "$STATE_DIR/"* ]]; then rm -f "$l"; fi
  done
  # <network>-<64 hex container id>-<ifname>; exact, so "devbox" spares "devbox-other"
  for l in /var/lib/cni/results/"$CNI_NETWORK"-*; do
    if [[ ${l##*/} =~ ^${CNI_NETWORK}-[0-9a-f]{64}-[^-]+$ ]]; then rm -f "$l"; fi
  done
}

# If containerd is not running (killed earlier) but has state, start it briefly.
containerd_for_teardown() {
  [[ -d $CTRD_DIR/root ]] || return 1
  command -v containerd >/dev/null || return 1
  if ! containerd_ok 2>/dev/null; then
    [[ -f $CTRD_DIR/config.toml ]] || return 1
    info "starting containerd briefly to $1"
    start_bg containerd containerd --config "$CTRD_DIR/config.toml"
    local i; for ((i = 0; i < 100; i++)); do containerd_ok 2>/dev/null && break; sleep 0.2; done
  fi
  containerd_ok 2>/dev/null
}

DOWN_GRACE="${DEVBOX_DOWN_GRACE_SECONDS:-10}"   # as long as a devbox stop gives its processes

# Every running container gets SIGTERM and DOWN_GRACE seconds (then SIGKILL), like a devbox stop
# or a machine shutdown; then the pod sandboxes. Containers and their writable layers are kept:
# containerd's CRI records the exit, and at the next up kubelet reports the Pods finished.
stop_containers() {
  containerd_for_teardown "stop containers" || return 0
  stop_running_containers
}

# stop_containers' work against the containerd $CTRD_SOCK names (lib/node2.sh: node 2's); $1 says
# where in its summary line
stop_running_containers() { # [where]
  local where="${1:-}" apps pauses ids id left i
  apps=$(ctr_ -n k8s.io containers ls -q 'labels."io.cri-containerd.kind"==container' 2>/dev/null || true)
  pauses=$(ctr_ -n k8s.io containers ls -q 'labels."io.cri-containerd.kind"==sandbox' 2>/dev/null || true)
  running_tasks() { ctr_ -n k8s.io tasks ls 2>/dev/null | awk 'NR > 1 && $3 != "STOPPED" {print $1}' | grep -Fxf <(printf '%s\n' $1) || true; }
  ids=$(running_tasks "$apps")
  for id in $ids; do
    # a frozen task (a commit in flight when its agent died) holds signals until thawed
    ctr_ -n k8s.io tasks resume "$id" >/dev/null 2>&1 || true
    ctr_ -n k8s.io tasks kill -a -s SIGTERM "$id" >/dev/null 2>&1 || true
  done
  for ((i = 0; i < DOWN_GRACE * 5; i++)); do [[ -z $(running_tasks "$apps") ]] && break; sleep 0.2; done
  left=$(running_tasks "$apps")
  for id in $left; do ctr_ -n k8s.io tasks kill -a -s SIGKILL "$id" >/dev/null 2>&1 || true; done
  [[ -n $left ]] && info "SIGKILL to $(wc -w <<<"$left") container(s) still running after ${DOWN_GRACE}s"
  pauses=$(running_tasks "$pauses")
  for id in $pauses; do ctr_ -n k8s.io tasks kill -a -s SIGKILL "$id" >/dev/null 2>&1 || true; done
  # CRI deletes a task once it has recorded its exit: wait for that, so the next up sees "exited"
  for ((i = 0; i < 100; i++)); do [[ -z $(ctr_ -n k8s.io tasks ls -q 2>/dev/null) ]] && break; sleep 0.2; done
  info "stopped $(wc -w <<<"$ids") container(s) and $(wc -w <<<"$pauses") pod sandbox(es)$where; kept for the next up"
  kill_plain_tasks
}

# containers outside Kubernetes (ctr run, e.g. the benchmark's floor); --with-k8s: Kubernetes' too
kill_plain_tasks() {
  local ns t
  for ns in $(ctr_ namespaces ls -q 2>/dev/null); do
    [[ $ns == k8s.io && ${1:-} != --with-k8s ]] && continue
    for t in $(ctr_ -n "$ns" tasks ls -q 2>/dev/null); do
      ctr_ -n "$ns" tasks kill -a -s SIGKILL "$t" >/dev/null 2>&1 || true
      ctr_ -n "$ns" tasks delete -f "$t" >/dev/null 2>&1 || true
    done
  done
}

# Pods go through CRI so containerd runs CNI DEL and unmounts netns/rootfs.
remove_pods() {
  [[ -x ${BIN_DIR:-}/devbox-cri ]] || locate_binaries
  containerd_for_teardown "remove pods" || return 0
  if [[ -x ${BIN_DIR:-}/devbox-cri ]]; then
    "$BIN_DIR/devbox-cri" "$CTRD_SOCK" remove-all-pods 2>&1 | sed 's/^/    /' || warn "some pod sandboxes could not be removed"
  fi
  kill_plain_tasks --with-k8s
}

locate_binaries() {
  BIN_DIR="${KUBE_BIN_DIR:-$CACHE_DIR/bin/$K8S_VERSION}"
}

# shims (their argv names our socket) and any container process left in kubepods cgroups
kill_leftovers() {
  local pid
  for pid in $(find_ours ""); do
    info "killing leftover process $pid: $(tr '\0' ' ' </proc/$pid/cmdline | cut -c1-100)"
    kill -KILL "$pid" 2>/dev/null || true
  done
  local d
  for d in $(kubepods_dirs); do
    [[ -d $d ]] || continue
    for pid in $(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u); do
      kill -KILL "$pid" 2>/dev/null || true
    done
  done
}

unmount_all() {
  local m n=0
  # deepest first
  while IFS= read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || warn "could not unmount $m"
    n=$((n + 1))
  done < <(awk -v d="$STATE_DIR" '{ p = $5; gsub(/\\040/, " ", p); if (p == d || index(p, d "/") == 1) print p }' /proc/self/mountinfo | sort -r)
  ((n == 0)) || info "unmounted $n filesystems under $STATE_DIR"
}

remove_cgroups() {
  local d
  for d in $(kubepods_dirs); do
    [[ -d $d ]] || continue
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  if [[ $CGROUP_ROOT != / ]]; then
    for d in $(cgroup_dirs); do rmdir "$d$CGROUP_ROOT" 2>/dev/null || true; done
  fi
}

# "namespace pod devbox" of every devbox Pod whose container runs: from the apiserver, or, when
# it does not answer, from containerd (the devbox container is named "devbox", its Pod <name>-<gen>).
running_devboxes() {
  if apiserver_ok 2>/dev/null; then
    kubectl_admin get pods -A -l devbox.dev/devbox-id -o json 2>/dev/null | jq -r '
      .items[] | select(.status.phase == "Running" and .metadata.deletionTimestamp == null) |
      "\(.metadata.namespace) \(.metadata.name) \(.metadata.labels["devbox.dev/name"] // .metadata.name)"' || true
    return 0
  fi
  containerd_ok 2>/dev/null || return 0
  local id running
  running=$(ctr_ -n k8s.io tasks ls 2>/dev/null | awk 'NR > 1 && $3 != "STOPPED" {print $1}')
  for id in $(ctr_ -n k8s.io containers ls -q 'labels."io.kubernetes.container.name"==devbox' 2>/dev/null); do
    grep -qFx "$id" <<<"$running" || continue
    ctr_ -n k8s.io containers info "$id" 2>/dev/null | jq -r '.Labels as $l |
      "\($l["io.kubernetes.pod.namespace"]) \($l["io.kubernetes.pod.name"]) \($l["io.kubernetes.pod.name"] | sub("-[0-9]+$"; ""))"' || true
  done
}

# "namespace/devbox (pod name)", one a line
describe_devboxes() { if [[ -n $1 ]]; then awk '{ printf "%s/%s (pod %s)\n", $1, $3, $2 }' <<<"$1"; fi; }

# The annotation tells the dashboard's recovery why these containers ended ("Recovered after the
# cluster was stopped: …"); lib/reconciler/recover-dead-pod.ts reads it.
mark_cluster_stop() {
  local ns pod _ at; at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  while read -r ns pod _; do
    [[ -n $pod ]] || continue
    kubectl_admin -n "$ns" annotate --overwrite pod "$pod" "devbox.dev/cluster-stopped-at=$at" >/dev/null 2>&1 || true
  done <<<"$1"
}

# down --purge deletes what no later up can bring back: say what, and have it confirmed.
confirm_purge() {
  local yes="$1" boxes="$2" store="$STATE_DIR/registry/storage" size=0 answer
  [[ -d $store ]] && size=$(du -sm "$store" 2>/dev/null | cut -f1)
  {
    printf '%sdown --purge deletes %s%s: Kubernetes state (etcd), certificates and kubeconfigs, containers,\n' "$C_B" "$STATE_DIR" "$C_0"
    if registry_uses_s3; then
      printf '    and the registry'"'"'s settings and S3 keys. The images, every devbox snapshot among them, stay in %s:\n' "$(registry_storage_desc)"
      printf '    an up with the same DEVBOX_REGISTRY_S3_* settings finds them again; nothing in the bucket is deleted.\n'
    else
      printf '    and the registry (%s MiB): every devbox snapshot, so no devbox can start again, stopped ones included.\n' "$size"
    fi
    if [[ -n $boxes ]]; then
      printf '    Running devboxes, whose unsaved changes are lost too:\n'
      sed 's/^/      /' <<<"$boxes"
    fi
  } >&2
  ((yes)) && return 0
  if [[ -t 0 ]]; then
    read -r -p "    Type 'purge' to delete it all: " answer
    [[ $answer == purge ]] && return 0
    printf 'not purged: nothing was stopped or deleted\n' >&2
    exit 2
  fi
  printf '%serror:%s not purged (no terminal to ask on): run down --purge --yes to confirm\n' "$C_R" "$C_0" >&2
  exit 2
}

# down keeps users' work: containers are stopped gracefully (SIGTERM, DOWN_GRACE s) and kept, not
# removed; at the next up kubelet reports their Pods finished and the dashboard commits each
# one's writable layer, then starts it again from that snapshot ("Recovered after …: changes up to
# HH:MM UTC kept."). Only down --purge (confirmed) removes pods and data.
cmd_down() {
  local purge=0 yes=0 a pods boxes
  for a in "$@"; do
    case $a in --purge) purge=1 ;; --yes | -y) yes=1 ;; *) echo "devbox-cluster down: unknown option '$a' (--purge, --yes)" >&2; exit 2 ;; esac
  done
  require_root down
  locate_binaries
  if [[ ! -d $STATE_DIR ]]; then info "nothing to do: $STATE_DIR does not exist"; return; fi
  mkdir -p "$RUN"
  exec 9>"$RUN/lock"
  flock -w 60 9 || die "another devbox-cluster command holds $RUN/lock"
  pods=$(running_devboxes)
  boxes=$(describe_devboxes "$pods")
  ((purge)) && confirm_purge "$yes" "$boxes"
  ((purge)) || mark_cluster_stop "$pods"
  step "stopping the cluster in $STATE_DIR"
  node2_down "$( ((purge)) || echo keep)"   # lib/node2.sh: before node 1, whose registry and apiserver it uses
  if ((purge)); then
    teardown
    rm -rf "$STATE_DIR"
    step "purged $STATE_DIR"
    return
  fi
  teardown keep
  step "down (data kept in $STATE_DIR; 'down --purge' deletes it)"
  if [[ -n $boxes ]]; then
    info "running devboxes were stopped with their changes kept in their containers:"
    sed 's/^/      /' <<<"$boxes"
    info "after the next up, the dashboard commits each one's changes and starts it again"
  fi
}

cmd_status() {
  locate_binaries
  local c pid health rc=0
  printf '%-24s %-8s %-8s %s\n' COMPONENT PID HEALTH LOG
  for c in $COMPONENTS; do
    pid=$(pid_of "$c" 2>/dev/null || true)
    case $c in
      registry) f=registry_ok ;; containerd) f=containerd_ok ;; etcd) f=etcd_ok ;;
      kube-apiserver) f=apiserver_ok ;; kube-controller-manager) f=kcm_ok ;;
      kube-scheduler) f=scheduler_ok ;; kubelet) f=kubelet_ok ;;
    esac
    if [[ -z $pid ]]; then health=stopped; rc=1
    elif $f >/dev/null 2>&1; then health=ok
    else health=FAILING; rc=1; fi
    printf '%-24s %-8s %-8s %s\n' "$c" "${pid:--}" "$health" "$LOGS/$c.log"
  done
  apiserver_guard_status || rc=1   # lib/network.sh
  kube_proxy_status || rc=1   # lib/kube-proxy.sh
  netpol_status || rc=1
  coredns_status || rc=1   # lib/coredns.sh
  metrics_server_status || rc=1   # lib/metrics-server.sh   # NetworkPolicy enforcer (lib/netpol.sh)
  dashboard_access_status || rc=1   # registry GC helper (lib/dashboard-access.sh)
  node2_status || rc=1   # the second node's parts, when it was added (lib/node2.sh)
  if apiserver_ok 2>/dev/null && [[ -x $BIN_DIR/kubectl ]]; then
    echo; kubectl_admin get nodes -o wide 2>&1 || true
    echo; kubectl_admin get pods -A 2>&1 | head -30 || true
  fi
  if registry_ok 2>/dev/null; then
    echo; echo "registry $REGISTRY ($(registry_storage_desc)): $(curl -s "http://$REGISTRY/v2/_catalog?n=1000" | jq -r '.repositories | join(" ")')"
  fi
  echo; echo "kubeconfigs: $ADMIN_KUBECONFIG  $DASHBOARD_KUBECONFIG"
  return $rc
}

cmd_logs() {
  local c="${1:-}" follow=0
  [[ ${2:-} == -f ]] && follow=1
  if [[ -z $c || " $COMPONENTS kube-proxy netpol images agent apt kubectl $N2_COMPONENTS " != *" $c "* ]]; then
    die "logs: name a component: $COMPONENTS kube-proxy netpol (or images, agent, apt, kubectl)"
  fi
  local f="$LOGS/$c.log"
  [[ -f $f ]] || die "no log yet for $c ($f)"
  if ((follow)); then tail -n 100 -F "$f"; else tail -n 200 "$f"; fi
}

cmd_env() {
  locate_binaries
  cat <<ENV
export KUBECONFIG=$ADMIN_KUBECONFIG
export DEVBOX_ADMIN_KUBECONFIG=$ADMIN_KUBECONFIG
export DEVBOX_DASHBOARD_KUBECONFIG=$DASHBOARD_KUBECONFIG
export DEVBOX_REGISTRY=$REGISTRY
export DEVBOX_CONTAINERD_SOCKET=$CTRD_SOCK
export PATH=$BIN_DIR:\$PATH
ENV
}
