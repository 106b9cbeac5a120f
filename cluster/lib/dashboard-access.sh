# Lets the dashboard (`npm start`) run as an unprivileged user: `up` with
# DEVBOX_DASHBOARD_GROUP=<group> makes the dashboard's kubeconfig readable by that group (only
# that kubeconfig: admin and component kubeconfigs stay root-only) and starts a tiny root helper
# for the one root-only chore the dashboard has, registry garbage collection (it stops and
# restarts the registry process, lib/agent.sh registry-gc): a unix socket in $RUN, writable by the
# group; each connection runs one GC and gets its output (last line: JSON sizes).
# Without DEVBOX_DASHBOARD_GROUP nothing changes (the dashboard runs as root, as before).

DASHBOARD_GROUP="${DEVBOX_DASHBOARD_GROUP:-}"
REGISTRY_GC_SOCKET="$RUN/registry-gc.sock"

gc_helper_ok() { [[ -S $REGISTRY_GC_SOCKET ]]; }

ensure_dashboard_access() {
  [[ -n $DASHBOARD_GROUP ]] || return 0
  getent group "$DASHBOARD_GROUP" >/dev/null || die "DEVBOX_DASHBOARD_GROUP=$DASHBOARD_GROUP: no such group (groupadd $DASHBOARD_GROUP, then add the dashboard's user to it)"
  step "dashboard access for group $DASHBOARD_GROUP (kubeconfig, registry GC socket $REGISTRY_GC_SOCKET)"
  chgrp "$DASHBOARD_GROUP" "$STATE_DIR" "$KCFG" "$RUN" "$DASHBOARD_KUBECONFIG"
  chmod 0750 "$KCFG"
  chmod 0640 "$DASHBOARD_KUBECONFIG"
  chmod g+x "$STATE_DIR" "$RUN"
  already_running registry-gc-helper gc_helper_ok && return
  rm -f "$REGISTRY_GC_SOCKET"
  start_bg registry-gc-helper socat \
    "UNIX-LISTEN:$REGISTRY_GC_SOCKET,fork,mode=0660,group=$DASHBOARD_GROUP" \
    "EXEC:bash $CLUSTER_SRC/lib/agent.sh registry-gc,stderr"
  wait_for registry-gc-helper "listening on $REGISTRY_GC_SOCKET" gc_helper_ok
}

dashboard_access_status() { # one line for `status`, only when the group is configured
  [[ -n $DASHBOARD_GROUP ]] || return 0
  local pid; pid=$(pid_of registry-gc-helper 2>/dev/null || true)
  local h=ok rc=0
  if [[ -z $pid ]]; then h=stopped rc=1; elif ! gc_helper_ok; then h=FAILING rc=1; fi
  printf '%-24s %-8s %-8s %s\n' registry-gc-helper "${pid:--}" "$h" "$REGISTRY_GC_SOCKET"
  return $rc
}
