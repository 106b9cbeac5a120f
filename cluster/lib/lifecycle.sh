# The commands: up, down, status, logs, env.

UP_OK=0
on_up_exit() {
  local rc=$?
  ((UP_OK)) && return
  trap - EXIT ERR
  printf '%sup failed%s; stopping what was started (data in %s is kept)\n' "$C_R" "$C_0" "$STATE_DIR" >&2
  teardown >&2 || true
  exit "$((rc ? rc : 1))"
}

cmd_up() {
  [[ $# == 0 ]] || die "up takes no arguments (got: $*)"
  preflight
  exec 9>"$RUN/lock"
  flock -n 9 || die "another devbox-cluster command holds $RUN/lock"
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
  start_kubelet
  wait_node_ready
  start_netpol   # NetworkPolicy enforcer (lib/netpol.sh)
  ensure_dashboard_access   # non-root dashboard: kubeconfig group, registry GC socket (lib/dashboard-access.sh)
  if [[ ${DEVBOX_SKIP_AGENT:-} == 1 ]]; then
    step "node agent skipped (DEVBOX_SKIP_AGENT=1)"
  else
    ensure_agent
  fi
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

# Stop processes, pods, mounts, network; keep data.
teardown() {
  local c
  stop_netpol   # NetworkPolicy enforcer (lib/netpol.sh), before its API goes away
  stop_component registry-gc-helper   # lib/dashboard-access.sh
  step "stopping kubelet and the control plane"
  for c in kubelet kube-scheduler kube-controller-manager kube-apiserver; do stop_component "$c"; done
  step "removing pod sandboxes (CRI) and tasks"
  remove_pods
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

# Pods go through CRI so containerd runs CNI DEL and unmounts netns/rootfs.
# If containerd is not running (killed earlier) but has state, start it briefly.
remove_pods() {
  [[ -d $CTRD_DIR/root ]] || return 0
  command -v containerd >/dev/null || return 0
  [[ -x ${BIN_DIR:-}/devbox-cri ]] || locate_binaries
  if ! containerd_ok 2>/dev/null; then
    [[ -f $CTRD_DIR/config.toml ]] || return 0
    info "starting containerd briefly to remove pods"
    start_bg containerd containerd --config "$CTRD_DIR/config.toml"
    local i; for ((i = 0; i < 100; i++)); do containerd_ok 2>/dev/null && break; sleep 0.2; done
  fi
  if [[ -x ${BIN_DIR:-}/devbox-cri ]]; then
    "$BIN_DIR/devbox-cri" "$CTRD_SOCK" remove-all-pods 2>&1 | sed 's/^/    /' || warn "some pod sandboxes could not be removed"
  fi
  # containers outside Kubernetes (ctr run, e.g. the benchmark's floor)
  local ns t
  for ns in $(ctr_ namespaces ls -q 2>/dev/null); do
    for t in $(ctr_ -n "$ns" tasks ls -q 2>/dev/null); do
      ctr_ -n "$ns" tasks kill -a -s SIGKILL "$t" >/dev/null 2>&1 || true
      ctr_ -n "$ns" tasks delete -f "$t" >/dev/null 2>&1 || true
    done
  done
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

cmd_down() {
  local purge=0
  for a in "$@"; do
    case $a in --purge) purge=1 ;; *) die "down: unknown option '$a' (only --purge)" ;; esac
  done
  require_root down
  locate_binaries
  if [[ ! -d $STATE_DIR ]]; then info "nothing to do: $STATE_DIR does not exist"; return; fi
  mkdir -p "$RUN"
  exec 9>"$RUN/lock"
  flock -w 60 9 || die "another devbox-cluster command holds $RUN/lock"
  step "stopping the cluster in $STATE_DIR"
  teardown
  if ((purge)); then
    rm -rf "$STATE_DIR"
    step "purged $STATE_DIR"
  else
    step "down (data kept in $STATE_DIR; 'down --purge' deletes it)"
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
  netpol_status || rc=1   # NetworkPolicy enforcer (lib/netpol.sh)
  dashboard_access_status || rc=1   # registry GC helper (lib/dashboard-access.sh)
  if apiserver_ok 2>/dev/null && [[ -x $BIN_DIR/kubectl ]]; then
    echo; kubectl_admin get nodes -o wide 2>&1 || true
    echo; kubectl_admin get pods -A 2>&1 | head -30 || true
  fi
  if registry_ok 2>/dev/null; then
    echo; echo "registry $REGISTRY: $(curl -s "http://$REGISTRY/v2/_catalog?n=1000" | jq -r '.repositories | join(" ")')"
  fi
  echo; echo "kubeconfigs: $ADMIN_KUBECONFIG  $DASHBOARD_KUBECONFIG"
  return $rc
}

cmd_logs() {
  local c="${1:-}" follow=0
  [[ ${2:-} == -f ]] && follow=1
  if [[ -z $c || " $COMPONENTS netpol images agent apt kubectl " != *" $c "* ]]; then
    die "logs: name a component: $COMPONENTS netpol (or images, agent, apt, kubectl)"
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
