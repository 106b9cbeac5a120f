# kube-proxy: routes ClusterIPs and NodePorts (from Pods and from the host), a host process like
# kubelet. Built from the pinned k8s.io/kubernetes with the same flags as the other binaries, in
# its own module (cluster/kube-proxy/go.mod: it needs sigs.k8s.io/knftables and moby/ipvs, which
# ../go.mod does not list; adding them there would change every other binary's recipe hash).
# Identity: user system:kube-proxy, bound to system:node-proxier by Kubernetes' bootstrap RBAC.
# Mode: iptables. Measured (cluster/kube-proxy/measure.sh, figures in cluster/README.md
# "Services"): nftables costs less per connection once there are hundreds of Services, but it
# silently drops connections to unallocated ClusterIPs (they hang until the client times out),
# where iptables mode lets them reach the service-range guard (lib/network.sh), which refuses them
# at once. At this cluster's size the per-connection difference is microseconds.
# `DEVBOX_KUBE_PROXY_MODE=nftables` switches.

KUBE_PROXY_MODE="${DEVBOX_KUBE_PROXY_MODE:-iptables}"
KUBE_PROXY_HEALTHZ_PORT="${DEVBOX_KUBE_PROXY_HEALTHZ_PORT:-10256}"
KUBE_PROXY_METRICS_PORT="${DEVBOX_KUBE_PROXY_METRICS_PORT:-10249}"
KUBE_PROXY_BIN_DIR="$CACHE_DIR/bin/kube-proxy-$K8S_VERSION"

kube_proxy_ok() { curl -sf --max-time 2 "http://127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT/healthz" >/dev/null; }

kube_proxy_recipe_hash() { module_recipe_hash kube-proxy "$BUILD_FLAGS_REV $K8S_VERSION"; }

ensure_kube_proxy_binary() {
  if [[ -n ${KUBE_BIN_DIR:-} && -x $KUBE_BIN_DIR/kube-proxy ]]; then KUBE_PROXY_BIN_DIR="$KUBE_BIN_DIR"; return; fi
  build_module_binary kube-proxy kube-proxy "$KUBE_PROXY_BIN_DIR" "$(kube_proxy_recipe_hash)" "$(k8s_ldflags)" \
    k8s.io/kubernetes/cmd/kube-proxy "kube-proxy $K8S_VERSION"
}

# After its config was rewritten: a running kube-proxy exits by itself on the change (a newer up's
# settings); let it (or stop it), the caller starts it again. lib/node2.sh: node 2's too.
let_kube_proxy_exit() { # component
  local pid
  pid=$(pid_of "$1") || return 0
  info "$1 (pid $pid) exits on its config change; starting it again"
  for _ in {1..50}; do alive "$pid" || break; sleep 0.2; done
  if alive "$pid"; then stop_component "$1"; fi
}

# Rewritten only when it changes: kube-proxy watches the file and exits when it is written to.
write_kube_proxy_config() {
  local f="$STATE_DIR/kube-proxy-config.yaml"
  cat >"$f.tmp" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: $KCFG/kube-proxy.kubeconfig
hostnameOverride: $NODE_NAME
mode: $KUBE_PROXY_MODE
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$KUBE_PROXY_METRICS_PORT
# NodePorts on the node's own addresses only; not on 127.0.0.1, which would need the host-wide
# sysctl net.ipv4.conf.all.route_localnet=1.
nodePortAddresses: ["primary"]
iptables:
  localhostNodePorts: false
# Leave the host's conntrack sysctls as they are (0 = do not set).
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
YAML
  if cmp -s "$f.tmp" "$f"; then rm -f "$f.tmp"; return 1; fi
  mv "$f.tmp" "$f"
}

start_kube_proxy() {
  if [[ ${DEVBOX_SKIP_KUBE_PROXY:-} == 1 ]]; then step "kube-proxy skipped (DEVBOX_SKIP_KUBE_PROXY=1)"; return; fi
  local other
  # its chains (KUBE-SERVICES …) are global: two kube-proxies would delete each other's rules
  if other=$(foreign_pid kube-proxy); then
    warn "another cluster's kube-proxy (pid $other) runs on this host; not starting a second one (this cluster's ClusterIPs are not routed)"
    return
  fi
  ensure_kube_proxy_binary
  gen_cert kube-proxy "/CN=system:kube-proxy" client
  write_kubeconfig kube-proxy kube-proxy
  if write_kube_proxy_config; then let_kube_proxy_exit kube-proxy; fi
  # replies of a Pod behind a ClusterIP to a Pod on the same bridge must pass conntrack
  [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] || modprobe br_netfilter 2>/dev/null || true
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 || die "cannot enable net.bridge.bridge-nf-call-iptables (br_netfilter); ClusterIPs between pods would not work"
  already_running kube-proxy kube_proxy_ok && return   # up never restarts what it did not start
  step "starting kube-proxy ($KUBE_PROXY_MODE mode)"
  start_bg kube-proxy "$KUBE_PROXY_BIN_DIR/kube-proxy" --config="$STATE_DIR/kube-proxy-config.yaml" --v=1
  wait_for kube-proxy "healthy on http://127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT/healthz" kube_proxy_ok
}

# Stop it, then `kube-proxy --cleanup` removes its rules (iptables and nftables, whichever mode),
# unless another cluster's kube-proxy uses the same names.
stop_kube_proxy() {
  stop_component kube-proxy
  foreign_pid kube-proxy >/dev/null && return 0
  local bin="$KUBE_PROXY_BIN_DIR/kube-proxy"
  [[ -n ${KUBE_BIN_DIR:-} && -x $KUBE_BIN_DIR/kube-proxy ]] && bin="$KUBE_BIN_DIR/kube-proxy"
  [[ -x $bin ]] || return 0
  "$bin" --cleanup --v=0 >>"$LOGS/kube-proxy.log" 2>&1 || warn "kube-proxy --cleanup failed; see $LOGS/kube-proxy.log"
}

kube_proxy_status() { # one line for `status`
  local pid; pid=$(pid_of kube-proxy 2>/dev/null || true)
  if [[ ${DEVBOX_SKIP_KUBE_PROXY:-} == 1 ]]; then printf '%-24s %-8s %-8s %s\n' kube-proxy - skipped "$LOGS/kube-proxy.log"; return 0; fi
  if [[ -z $pid ]]; then
    if foreign_pid kube-proxy >/dev/null; then printf '%-24s %-8s %-8s %s\n' kube-proxy - other "(another cluster's kube-proxy runs)"; return 0; fi
    printf '%-24s %-8s %-8s %s\n' kube-proxy - stopped "$LOGS/kube-proxy.log"; return 1
  fi
  if kube_proxy_ok; then printf '%-24s %-8s %-8s %s\n' kube-proxy "$pid" ok "$LOGS/kube-proxy.log"; return 0; fi
  printf '%-24s %-8s %-8s %s\n' kube-proxy "$pid" FAILING "$LOGS/kube-proxy.log"; return 1
}
