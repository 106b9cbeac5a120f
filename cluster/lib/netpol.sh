# NetworkPolicy enforcement: kube-router's firewall controller only (no routing, no service
# proxy, no CNI), a host process like kubelet. It turns NetworkPolicies into iptables chains and
# ipsets; pod-to-pod traffic on the bridge reaches them through br_netfilter.
#
# Why not sigs.k8s.io/kube-network-policies: it hands packets to userspace with the nftables
# `queue` statement, and this kernel has no CONFIG_NFT_QUEUE (`nft add rule … queue num 100`
# fails with "No such file or directory"). kube-router needs only iptables, ipset and
# br_netfilter.
#
# Built from the Go module proxy at a pinned version (cluster/netpol/go.mod, its own module:
# kube-router pins an older client-go than k8s.io/kubernetes). Identity: user devbox:netpol,
# read-only ClusterRole in cluster/manifests/netpol.yaml.

DEB_PKGS[ipset]=ipset     # kube-router runs the ipset command (preflight installs it)
# The only kube-router/v2 version the module proxy serves here. Its advisory (GHSA-phqm-jgc3-qf8g)
# is in the service proxy, which is not run (--run-service-proxy=false). See cluster/README.md.
NETPOL_VERSION="v2.1.0"
NETPOL_HEALTH_PORT="${DEVBOX_NETPOL_HEALTH_PORT:-20244}"
NETPOL_BIN_DIR="$CACHE_DIR/bin/kube-router-$NETPOL_VERSION"

netpol_ok() { curl -sf --max-time 2 "http://127.0.0.1:$NETPOL_HEALTH_PORT/healthz" >/dev/null; }

netpol_recipe_hash() { module_recipe_hash netpol "$NETPOL_VERSION"; }

ensure_netpol_binary() {
  build_module_binary kube-router netpol "$NETPOL_BIN_DIR" "$(netpol_recipe_hash)" \
    "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$NETPOL_VERSION" \
    github.com/cloudnativelabs/kube-router/v2/cmd/kube-router "kube-router $NETPOL_VERSION (NetworkPolicy enforcer)"
}

# A kube-router that is not ours (another cluster on this host) owns the same global chain
# names (KUBE-ROUTER-*); two would delete each other's rules.
foreign_kube_router() { foreign_pid kube-router; }

start_netpol() {
  if [[ ${DEVBOX_SKIP_NETPOL:-} == 1 ]]; then step "NetworkPolicy enforcer skipped (DEVBOX_SKIP_NETPOL=1)"; return; fi
  local other
  if other=$(foreign_kube_router); then
    warn "another cluster's kube-router (pid $other) enforces NetworkPolicies on this host; not starting a second one (this cluster's policies are not enforced)"
    return
  fi
  ensure_netpol_binary
  gen_cert netpol "/CN=devbox:netpol" client
  write_kubeconfig netpol netpol
  kubectl_admin apply -f "$CLUSTER_SRC/manifests/netpol.yaml" >>"$LOGS/kubectl.log" 2>&1 ||
    die "applying cluster/manifests/netpol.yaml failed; see $LOGS/kubectl.log"
  # bridged pod-to-pod frames must pass iptables, or same-node traffic skips every policy
  [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] || modprobe br_netfilter 2>/dev/null || true
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 || die "cannot enable net.bridge.bridge-nf-call-iptables (br_netfilter); NetworkPolicies would not apply between pods"
  already_running netpol netpol_ok && return   # up never restarts what it did not start
  step "starting the NetworkPolicy enforcer (kube-router $NETPOL_VERSION, firewall only)"
  start_bg netpol "$NETPOL_BIN_DIR/kube-router" \
    --kubeconfig="$KCFG/netpol.kubeconfig" --hostname-override="$NODE_NAME" \
    --run-firewall=true --run-router=false --run-service-proxy=false --run-loadbalancer=false \
    --enable-cni=false --enable-ipv4=true --enable-ipv6=false \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --health-port="$NETPOL_HEALTH_PORT" --metrics-port=0 --v=1
  wait_for netpol "healthy on http://127.0.0.1:$NETPOL_HEALTH_PORT/healthz" netpol_ok
}

# Stop it and remove what it put into iptables/ipset (its chains and sets, by their names),
# unless another cluster's kube-router uses the same names.
stop_netpol() {
  stop_component netpol
  foreign_kube_router >/dev/null && return 0
  local ipt line chain s
  for ipt in iptables ip6tables; do
    command -v "$ipt-save" >/dev/null || continue
    while IFS= read -r line; do
      eval "$ipt -t filter -D ${line#-A }" 2>/dev/null || true
    done < <("$ipt-save" -t filter 2>/dev/null | grep -E '^-A (INPUT|FORWARD|OUTPUT) .*-j KUBE-ROUTER-' || true)
    for chain in $("$ipt-save" -t filter 2>/dev/null | grep -oE '^:KUBE-(ROUTER-[A-Z]+|POD-FW-[A-Z0-9]+|NWPLCY-[A-Z0-9]+)' || true); do
      "$ipt" -t filter -F "${chain#:}" 2>/dev/null || true
    done
    for chain in $("$ipt-save" -t filter 2>/dev/null | grep -oE '^:KUBE-(ROUTER-[A-Z]+|POD-FW-[A-Z0-9]+|NWPLCY-[A-Z0-9]+)' || true); do
      "$ipt" -t filter -X "${chain#:}" 2>/dev/null || true
    done
  done
  if command -v ipset >/dev/null; then
    for s in $(ipset list -n 2>/dev/null | grep -E '^KUBE-(SRC|DST)-|^kube-router-' || true); do
      ipset destroy "$s" 2>/dev/null || true
    done
  fi
}

netpol_status() { # one line for `status`
  local pid; pid=$(pid_of netpol 2>/dev/null || true)
  if [[ ${DEVBOX_SKIP_NETPOL:-} == 1 ]]; then printf '%-24s %-8s %-8s %s\n' netpol - skipped "$LOGS/netpol.log"; return 0; fi
  if [[ -z $pid ]]; then
    # another cluster's enforcer owns the host's chains: not a failure of this cluster (see start_netpol)
    if foreign_kube_router >/dev/null; then printf '%-24s %-8s %-8s %s\n' netpol - other "(another cluster's kube-router runs)"; return 0; fi
    printf '%-24s %-8s %-8s %s\n' netpol - stopped "$LOGS/netpol.log"; return 1
  fi
  if netpol_ok; then printf '%-24s %-8s %-8s %s\n' netpol "$pid" ok "$LOGS/netpol.log"; return 0; fi
  printf '%-24s %-8s %-8s %s\n' netpol "$pid" FAILING "$LOGS/netpol.log"; return 1
}
