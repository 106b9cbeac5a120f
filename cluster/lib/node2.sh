# The second node (`up --nodes 2`): a kubelet with its own containerd, state directory, cgroup root,
# certificates, network namespace and mount namespace, on the same machine. This is how the
# multi-node behaviour (a devbox stopped on one node starts on another from its snapshot, the
# node agent of the Pod's node commits it) is exercised on one machine.
#
# Network: node 2 lives in the network namespace $N2_NETNS, joined to the host by a veth pair
# ($N2_VETH on the host, eth0 inside). Node 2's address is $N2_IP (/32); it reaches node 1 at node
# 1's own address (the host answers ARP for it on the veth), so both nodes see each other at their
# node IPs as two machines on one network would. Each node has its own pod CIDR and bridge: node 1
# $POD_CIDR on $BRIDGE, node 2 $N2_POD_CIDR on a bridge of the same name inside its namespace; the
# host routes $N2_POD_CIDR to $N2_IP, node 2's default route is node 1. Traffic between the two
# pod CIDRs is not masqueraded (the CNI bridge plugin would hide the Pod's address behind the node's,
# and NetworkPolicies match Pod addresses). kube-proxy and the NetworkPolicy enforcer run a second
# time inside the namespace (iptables and ipsets are per network namespace), for node 2's Pods.
#
# Loopback services of node 1 (the registry the images are named after, 127.0.0.1:5000, and the
# apiserver) are reached on node 2's own loopback through relays: socat inside the namespace
# listens on 127.0.0.1:<port> and connects to a unix socket under the state dir, where a socat on
# the host connects to 127.0.0.1:<port>. Unix sockets are not bound to a network namespace, so
# image references, kubeconfigs and the agent's --registry stay the same on both nodes, and no
# loopback-only service is exposed on another address.
#
# Mounts: node 2's processes run in their own mount namespace (pinned at $N2_DIR/ns/mnt, a slave
# of the host's), in which node 2's containerd directory is bind-mounted over node 1's
# ($CTRD_DIR) and its agent state over /var/lib/devbox-agent. The node agent DaemonSet mounts
# those host paths, so the same DaemonSet finds each node's own containerd, as on real nodes.
# Its containers' mounts stay in that namespace: the host's mount table never shows them.
#
# Process names: node2-<part>, pid files and logs next to node 1's ($RUN, $LOGS). find_ours only
# sees processes of the caller's network namespace, so node 1's stray handling leaves them alone.

N2_NAME="${DEVBOX_NODE2_NAME:-$NODE_NAME-2}"
N2_DIR="$STATE_DIR/node2"
N2_NETNS="${DEVBOX_NODE2_NETNS:-$CNI_NETWORK-node2}"
N2_VETH="${DEVBOX_NODE2_VETH:-${BRIDGE}n2}"
N2_IP="${DEVBOX_NODE2_IP:-10.91.0.2}"
N2_POD_CIDR="${DEVBOX_NODE2_POD_CIDR:-10.90.0.0/16}"
N2_CGROUP_ROOT="/${CNI_NETWORK}-node2"
N2_PKI="$N2_DIR/pki"
N2_KCFG="$N2_DIR/kubeconfig"
N2_MNT="$N2_DIR/ns/mnt"
N2_NAT_COMMENT="devbox-node2:$CNI_NETWORK"
# Components in start order (names of pid files and logs); down stops them in reverse.
N2_COMPONENTS="node2-registry-host node2-registry node2-apiserver-host node2-apiserver node2-containerd node2-kubelet node2-kube-proxy node2-netpol"

n2_configured() { [[ -f $N2_DIR/enabled ]]; }
n2_netns_exists() { [[ -e /run/netns/$N2_NETNS ]]; }
n2_net() { nsenter --net="/run/netns/$N2_NETNS" -- "$@"; }
n2_ns() { nsenter --net="/run/netns/$N2_NETNS" --mount="$N2_MNT" -- "$@"; }
n2_netns_inode() { stat -L -c %i "/run/netns/$N2_NETNS" 2>/dev/null; }

n2_ctr() { ctr --address "$N2_DIR/containerd/containerd.sock" "$@"; }
n2_containerd_ok() { pid_of node2-containerd >/dev/null && n2_ctr --connect-timeout 2s --timeout 3s plugins ls 2>/dev/null | grep -qE '^io\.containerd\.grpc\.v1 +cri +.* ok *$' && n2_cri_serving; }
n2_cri_serving() { [[ -x ${BIN_DIR:-}/devbox-cri ]] || return 0; timeout 10 "$BIN_DIR/devbox-cri" "$N2_DIR/containerd/containerd.sock" pods >/dev/null 2>&1; }
n2_kubelet_ok() { n2_net curl -sf --max-time 2 "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz" >/dev/null; }
n2_kube_proxy_ok() { n2_net curl -sf --max-time 2 "http://127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT/healthz" >/dev/null; }
n2_netpol_ok() { n2_net curl -sf --max-time 2 "http://127.0.0.1:$NETPOL_HEALTH_PORT/healthz" >/dev/null; }
n2_registry_ok() { n2_net curl -sf --max-time 2 "http://$REGISTRY/v2/" >/dev/null; }
n2_apiserver_ok() { n2_net curl -sf --max-time 3 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://127.0.0.1:$APISERVER_PORT/readyz" >/dev/null; }
n2_registry_host_ok() { [[ -S $RUN/node2-registry.sock ]] && pid_of node2-registry-host >/dev/null; }
n2_apiserver_host_ok() { [[ -S $RUN/node2-apiserver.sock ]] && pid_of node2-apiserver-host >/dev/null; }

n2_node_ready() {
  [[ $(kubectl_admin get node "$N2_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}

# ---- network -------------------------------------------------------------------------------

n2_preflight() {
  local dev
  dev=$(ip -4 route show "$N2_POD_CIDR" 2>/dev/null | grep -o 'dev [^ ]*' | awk '{print $2}' | head -1 || true)
  [[ -z $dev || $dev == "$N2_VETH" ]] || die "node 2's pod CIDR $N2_POD_CIDR is already routed to $dev; set DEVBOX_NODE2_POD_CIDR"
  dev=$(ip -4 route get "$N2_IP" 2>/dev/null | grep -o 'dev [^ ]*' | awk '{print $2}' | head -1 || true)
  if [[ -n $dev && $dev != "$N2_VETH" ]] && ip -4 route show "$N2_IP" | grep -q .; then
    die "node 2's address $N2_IP is already routed to $dev; set DEVBOX_NODE2_IP"
  fi
  command -v nsenter >/dev/null && command -v unshare >/dev/null && command -v socat >/dev/null ||
    die "node 2 needs nsenter, unshare (util-linux) and socat"
}

# iptables rule, added once: table chain rule...
n2_ipt_once() { local t="$1" c="$2"; shift 2; "${IPT[@]}" -w -t "$t" -C "$c" "$@" 2>/dev/null || "${IPT[@]}" -w -t "$t" -I "$c" 1 "$@"; }

n2_ensure_network() {
  local node1_ip; node1_ip=$(node_ip)
  [[ -d /run/netns ]] || mkdir -p /run/netns
  n2_netns_exists || ip netns add "$N2_NETNS" || die "cannot create network namespace $N2_NETNS"
  if ! ip link show "$N2_VETH" >/dev/null 2>&1; then
    n2_net ip link del eth0 2>/dev/null || true   # the other half of a veth whose host end went
    ip link add "$N2_VETH" type veth peer name eth0 netns "$N2_NETNS" || die "cannot create veth $N2_VETH"
  fi
  n2_net ip link set lo up
  n2_net ip -4 addr show dev eth0 | grep -qF " $N2_IP/32" || n2_net ip addr add "$N2_IP/32" dev eth0
  n2_net ip link set eth0 up
  n2_net ip route replace "$node1_ip/32" dev eth0 scope link
  n2_net ip route replace default via "$node1_ip" dev eth0
  ip link set "$N2_VETH" up
  # host-originated packets to node 2 leave from node 1's address, as between two machines
  ip route replace "$N2_IP/32" dev "$N2_VETH" src "$node1_ip"
  ip route replace "$N2_POD_CIDR" via "$N2_IP" dev "$N2_VETH" src "$node1_ip"
  n2_net sysctl -qw net.ipv4.ip_forward=1
  [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] || modprobe br_netfilter 2>/dev/null || true
  n2_net sysctl -qw net.bridge.bridge-nf-call-iptables=1 ||
    die "cannot enable net.bridge.bridge-nf-call-iptables in $N2_NETNS; NetworkPolicies would not apply between node 2's Pods"
  # Pod to Pod across nodes keeps the Pod's address (the CNI bridge plugin masquerades whatever
  # leaves its own subnet): RETURN ends nat POSTROUTING before its rules.
  local IPT=(iptables)
  n2_ipt_once nat POSTROUTING -s "$POD_CIDR" -d "$N2_POD_CIDR" -m comment --comment "$N2_NAT_COMMENT" -j RETURN
  n2_ipt_once nat POSTROUTING -s "$POD_CIDR" -d "$N2_IP/32" -m comment --comment "$N2_NAT_COMMENT" -j RETURN
  IPT=(nsenter --net="/run/netns/$N2_NETNS" -- iptables)
  n2_ipt_once nat POSTROUTING -s "$N2_POD_CIDR" -d "$POD_CIDR" -m comment --comment "$N2_NAT_COMMENT" -j RETURN
}

n2_remove_host_nat() {
  local line
  while IFS= read -r line; do
    eval "iptables -w -t nat -D ${line#-A }" 2>/dev/null || true
  done < <(iptables-save -t nat 2>/dev/null | grep -- '^-A ' | grep -F -- "--comment \"$N2_NAT_COMMENT\"" || true)
}

n2_remove_network() {
  n2_remove_host_nat
  ip route del "$N2_POD_CIDR" dev "$N2_VETH" 2>/dev/null || true
  ip route del "$N2_IP/32" dev "$N2_VETH" 2>/dev/null || true
  if ip link show "$N2_VETH" >/dev/null 2>&1; then ip link del "$N2_VETH" && info "removed veth $N2_VETH"; fi
  if n2_netns_exists; then ip netns del "$N2_NETNS" && info "removed network namespace $N2_NETNS (its bridge, rules and ipsets with it)"; fi
}

# ---- mount namespace -------------------------------------------------------------------------

n2_mntns_ok() { [[ $(findmnt -n -o FSTYPE "$N2_MNT" 2>/dev/null) == nsfs ]]; }

n2_ensure_mntns() {
  local pin="$N2_DIR/ns"
  mkdir -p "$pin" "$N2_DIR/containerd" "$N2_DIR/agent-state" /var/lib/devbox-agent "$CTRD_DIR"
  # the pin file must sit on a private mount, or the namespace would hold a reference to itself
  if ! mountpoint -q "$pin"; then mount --bind "$pin" "$pin" && mount --make-private "$pin" || die "cannot prepare $pin"; fi
  if ! n2_mntns_ok; then
    touch "$N2_MNT"
    unshare --mount="$N2_MNT" --propagation slave true || die "cannot create node 2's mount namespace ($N2_MNT)"
  fi
  n2_bind_in_ns "$N2_DIR/containerd" "$CTRD_DIR"
  n2_bind_in_ns "$N2_DIR/agent-state" /var/lib/devbox-agent
}

# bind src over dst inside node 2's mount namespace, once (same device and inode = done)
n2_bind_in_ns() {
  nsenter --mount="$N2_MNT" -- sh -c '[ "$(stat -c %d:%i "$1")" = "$(stat -c %d:%i "$2")" ] || mount --bind "$1" "$2"' _ "$1" "$2" ||
    die "cannot bind $1 over $2 in node 2's mount namespace"
}

n2_remove_mntns() {
  local pin="$N2_DIR/ns"
  if mountpoint -q "$N2_MNT" 2>/dev/null; then umount "$N2_MNT" 2>/dev/null || umount -l "$N2_MNT" || warn "could not unmount $N2_MNT"; fi
  if mountpoint -q "$pin" 2>/dev/null; then umount "$pin" 2>/dev/null || umount -l "$pin" || warn "could not unmount $pin"; fi
  return 0
}

# ---- certificates and kubeconfigs ------------------------------------------------------------

n2_ensure_certs() {
  mkdir -p "$N2_PKI" "$N2_KCFG"; chmod 700 "$N2_PKI" "$N2_KCFG"
  # signed by the cluster CA (in $PKI), then kept in node 2's own directory
  gen_cert node2-kubelet "/O=system:nodes/CN=system:node:$N2_NAME" client
  gen_cert node2-kubelet-serving "/O=system:nodes/CN=system:node:$N2_NAME" server "IP:$N2_IP,IP:127.0.0.1,DNS:$N2_NAME,DNS:localhost"
  gen_cert kube-proxy "/CN=system:kube-proxy" client
  gen_cert netpol "/CN=devbox:netpol" client
  local f
  for f in node2-kubelet node2-kubelet-serving; do
    install -m 600 "$PKI/$f.crt" "$N2_PKI/${f#node2-}.crt"; install -m 600 "$PKI/$f.key" "$N2_PKI/${f#node2-}.key"
  done
  install -m 644 "$PKI/ca.crt" "$N2_PKI/ca.crt"
  # write_kubeconfig writes $KCFG/<name>.kubeconfig from $PKI/<cert>.*: node 2's directory, the
  # server 127.0.0.1 (the apiserver relay inside the namespace)
  local KCFG="$N2_KCFG"
  write_kubeconfig kubelet node2-kubelet
  write_kubeconfig kube-proxy kube-proxy
  write_kubeconfig netpol netpol
}

# ---- processes -------------------------------------------------------------------------------

# n2_start name ok-fn what cmd...: keeps a healthy running copy, starts one otherwise
n2_start() {
  local name="$1" ok="$2" what="$3"; shift 3
  already_running "$name" "$ok" && return
  stop_component "$name" >/dev/null
  step "starting $name"
  start_bg "$name" "$@"
  wait_for "$name" "$what" "$ok"
}

n2_start_relays() {
  local rhost=${REGISTRY%:*}
  [[ $rhost == 127.* || $rhost == localhost ]] || rhost=127.0.0.1
  n2_start node2-registry-host n2_registry_host_ok "listening on $RUN/node2-registry.sock" \
    socat "UNIX-LISTEN:$RUN/node2-registry.sock,fork,unlink-early,mode=600" "TCP:$REGISTRY"
  n2_start node2-registry n2_registry_ok "relaying $REGISTRY inside $N2_NETNS to the registry" \
    nsenter --net="/run/netns/$N2_NETNS" -- socat "TCP-LISTEN:$REGISTRY_PORT,bind=$rhost,reuseaddr,fork" "UNIX-CONNECT:$RUN/node2-registry.sock"
  n2_start node2-apiserver-host n2_apiserver_host_ok "listening on $RUN/node2-apiserver.sock" \
    socat "UNIX-LISTEN:$RUN/node2-apiserver.sock,fork,unlink-early,mode=600" "TCP:127.0.0.1:$APISERVER_PORT"
  n2_start node2-apiserver n2_apiserver_ok "relaying 127.0.0.1:$APISERVER_PORT inside $N2_NETNS to the apiserver" \
    nsenter --net="/run/netns/$N2_NETNS" -- socat "TCP-LISTEN:$APISERVER_PORT,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$RUN/node2-apiserver.sock"
}

# Node 1's containerd config with node 2's paths. Root, state, socket and registry hosts are named
# at node 1's paths, which node 2's mount namespace maps to its own directory (see the top).
n2_write_containerd_config() {
  local node1_ctrd="$CTRD_DIR"
  local STATE_DIR="$N2_DIR" CTRD_DIR="$N2_DIR/containerd" CTRD_SOCK="$N2_DIR/containerd/containerd.sock" POD_CIDR="$N2_POD_CIDR"
  write_containerd_config
  write_cni_config
  sed -i "s|$N2_DIR/containerd/|$node1_ctrd/|g; s|\"$N2_DIR/containerd\"|\"$node1_ctrd\"|g" "$N2_DIR/containerd/config.toml"
}

n2_write_kubelet_config() {
  local STATE_DIR="$N2_DIR" PKI="$N2_PKI" CTRD_SOCK="$N2_DIR/containerd/containerd.sock" CGROUP_ROOT="$N2_CGROUP_ROOT" DEVBOX_NODE_IP="$N2_IP"
  write_kubelet_config
  ensure_cgroup_root
}

# lib/kube-proxy.sh's config with node 2's name, pod CIDR, kubeconfig and directory
n2_write_kube_proxy_config() {
  local STATE_DIR="$N2_DIR" KCFG="$N2_KCFG" NODE_NAME="$N2_NAME" POD_CIDR="$N2_POD_CIDR"
  write_kube_proxy_config
}

# CoreDNS and metrics-server stay on node 1: the cluster's DNS and Metrics API then do not depend on
# node 2, which `node remove 2` takes away again
n2_pin_node1_deployments() {
  local d
  for d in coredns metrics-server; do
    kubectl_admin -n kube-system get deploy "$d" >/dev/null 2>&1 || continue
    [[ $(kubectl_admin -n kube-system get deploy "$d" -o 'jsonpath={.spec.template.spec.nodeSelector.kubernetes\.io/hostname}') == "$NODE_NAME" ]] && continue
    info "pinning kube-system/$d to $NODE_NAME"
    kubectl_admin -n kube-system patch deploy "$d" --type merge \
      -p "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"kubernetes.io/hostname\":\"$NODE_NAME\"}}}}}" >>"$LOGS/kubectl.log" 2>&1 ||
      die "pinning kube-system/$d to $NODE_NAME failed; see $LOGS/kubectl.log"
    # the patch replaces the Pod: up returns once it serves again (status checks it)
    wait_for kubelet "running kube-system/$d again on $NODE_NAME" kubectl_admin -n kube-system rollout status deploy/"$d" --timeout=2s
    case $d in
      coredns) [[ -n $(pid_of kube-proxy 2>/dev/null) ]] && wait_for kube-proxy "routing the cluster DNS Service again" coredns_answers ;;
      metrics-server) wait_for kube-apiserver "serving the Metrics API again" metrics_api_ok ;;
    esac
  done
}

# up --nodes 2 (and a plain up once node 2 was added): node 1 must be up (cmd_up runs this last).
ensure_node2() {
  step "node 2 ($N2_NAME, $N2_IP, pods $N2_POD_CIDR, network namespace $N2_NETNS)"
  n2_preflight
  mkdir -p "$N2_DIR"
  touch "$N2_DIR/enabled"
  ensure_apiserver_guard   # lib/network.sh: node 2's Pods reach the apiserver through the kubernetes Service too
  n2_ensure_certs
  n2_ensure_network
  n2_ensure_mntns
  n2_start_relays
  n2_write_containerd_config
  n2_start node2-containerd n2_containerd_ok "answering on $N2_DIR/containerd/containerd.sock" \
    nsenter --net="/run/netns/$N2_NETNS" --mount="$N2_MNT" -- containerd --config "$N2_DIR/containerd/config.toml"
  n2_write_kubelet_config
  n2_start node2-kubelet n2_kubelet_ok "healthy (127.0.0.1:$KUBELET_HEALTHZ_PORT inside $N2_NETNS)" \
    nsenter --net="/run/netns/$N2_NETNS" --mount="$N2_MNT" -- "$BIN_DIR/kubelet" \
    --config="$N2_DIR/kubelet-config.yaml" --kubeconfig="$N2_KCFG/kubelet.kubeconfig" \
    --root-dir="$N2_DIR/kubelet" --hostname-override="$N2_NAME" --node-ip="$N2_IP" --v=1 \
    ${DEVBOX_NODE2_REGISTER_TAINTS:+--register-with-taints="$DEVBOX_NODE2_REGISTER_TAINTS"}
  # DEVBOX_NODE2_REGISTER_TAINTS (e.g. devbox.dev/node2-dev=true:NoSchedule) applies when the Node
  # object is created: keeps other Pods off a node under test; node remove 2 drops it again
  wait_for node2-kubelet "Ready as node $N2_NAME" n2_node_ready
  # the Node records its pod CIDR (settable once): the dashboard's team egress policies treat every
  # node's podCIDR like DEVBOX_POD_CIDR (lib/k8s/team-network-policy.ts)
  if [[ -z $(kubectl_admin get node "$N2_NAME" -o 'jsonpath={.spec.podCIDR}') ]]; then
    kubectl_admin patch node "$N2_NAME" --type merge -p "{\"spec\":{\"podCIDR\":\"$N2_POD_CIDR\",\"podCIDRs\":[\"$N2_POD_CIDR\"]}}" >>"$LOGS/kubectl.log" 2>&1 ||
      die "could not record $N2_POD_CIDR as node $N2_NAME's pod CIDR; see $LOGS/kubectl.log"
  fi
  if [[ ${DEVBOX_SKIP_KUBE_PROXY:-} != 1 ]]; then
    ensure_kube_proxy_binary
    if n2_write_kube_proxy_config; then let_kube_proxy_exit node2-kube-proxy; fi
    n2_start node2-kube-proxy n2_kube_proxy_ok "healthy (127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT inside $N2_NETNS)" \
      nsenter --net="/run/netns/$N2_NETNS" --mount="$N2_MNT" -- "$KUBE_PROXY_BIN_DIR/kube-proxy" --config="$N2_DIR/kube-proxy-config.yaml" --v=1
  fi
  if [[ ${DEVBOX_SKIP_NETPOL:-} != 1 ]]; then
    ensure_netpol_binary
    n2_start node2-netpol n2_netpol_ok "healthy (127.0.0.1:$NETPOL_HEALTH_PORT inside $N2_NETNS)" \
      nsenter --net="/run/netns/$N2_NETNS" --mount="$N2_MNT" -- "$NETPOL_BIN_DIR/kube-router" \
      --kubeconfig="$N2_KCFG/netpol.kubeconfig" --hostname-override="$N2_NAME" \
      --run-firewall=true --run-router=false --run-service-proxy=false --run-loadbalancer=false \
      --enable-cni=false --enable-ipv4=true --enable-ipv6=false \
      --service-cluster-ip-range="$SERVICE_CIDR" \
      --health-port="$NETPOL_HEALTH_PORT" --metrics-port=0 --v=1
  fi
  n2_pin_node1_deployments
  if [[ ${DEVBOX_SKIP_AGENT:-} != 1 ]]; then n2_wait_agent; fi
  info "node $N2_NAME is Ready"
}

# The agent DaemonSet's Pod on node 2 answers on $N2_IP (the dashboard's address for it: the Pod's hostIP)
n2_agent_answers() { curl -sf --max-time 2 "http://$N2_IP:$AGENT_PORT/healthz" >/dev/null; }
n2_wait_agent() {
  kubectl_admin -n "$AGENT_NAMESPACE" get ds devbox-agent >/dev/null 2>&1 || return 0
  wait_for node2-kubelet "running the node agent (answering on $N2_IP:$AGENT_PORT)" n2_agent_answers
  info "agent answers on $N2_IP:$AGENT_PORT"
}

# ---- stopping ---------------------------------------------------------------------------------

# "namespace pod devbox" of the devbox Pods running on node 2
n2_running_devboxes() {
  apiserver_ok 2>/dev/null || return 0
  kubectl_admin get pods -A -l devbox.dev/devbox-id --field-selector "spec.nodeName=$N2_NAME" -o json 2>/dev/null | jq -r '
    .items[] | select(.status.phase == "Running" and .metadata.deletionTimestamp == null) |
    "\(.metadata.namespace) \(.metadata.name) \(.metadata.labels["devbox.dev/name"] // .metadata.name)"' || true
}

# Stops node 2's processes; its containers get SIGTERM and DOWN_GRACE seconds, and are kept
# (keep) or removed through CRI. Network and mount namespace stay unless asked (n2_remove_all).
n2_stop() {
  local keep="${1:-}" c i
  for c in node2-netpol node2-kube-proxy node2-kubelet; do stop_component "$c"; done
  if pid_of node2-containerd >/dev/null && n2_containerd_ok; then
    local CTRD_SOCK="$N2_DIR/containerd/containerd.sock"
    if [[ $keep == keep ]]; then
      step "node 2: stopping containers (SIGTERM, ${DOWN_GRACE}s to exit, then SIGKILL); they are kept"
      n2_stop_containers
    else
      step "node 2: removing pod sandboxes (CRI) and tasks"
      [[ -x ${BIN_DIR:-}/devbox-cri ]] && { "$BIN_DIR/devbox-cri" "$CTRD_SOCK" remove-all-pods 2>&1 | sed 's/^/    /' || warn "some of node 2's pod sandboxes could not be removed"; }
      kill_plain_tasks --with-k8s
    fi
  fi
  for ((i = ${#N2_COMPONENTS_ARR[@]} - 1; i >= 0; i--)); do
    c=${N2_COMPONENTS_ARR[i]}
    [[ $c == node2-netpol || $c == node2-kube-proxy || $c == node2-kubelet ]] || stop_component "$c"
  done
  n2_kill_leftovers
  local d
  for d in $(cgroup_dirs); do
    [[ -d $d$N2_CGROUP_ROOT ]] || continue
    find "$d$N2_CGROUP_ROOT" -depth -mindepth 1 -type d -exec rmdir {} + 2>/dev/null || true
    rmdir "$d$N2_CGROUP_ROOT" 2>/dev/null || true
  done
  rm -rf "$N2_DIR/cni/ipam"   # the Pods' network namespaces went with the processes
}

# lifecycle.sh's stop_running_containers against node 2's containerd (ctr_ follows $CTRD_SOCK),
# without stop_containers' containerd_for_teardown, which would start node 1's containerd
n2_stop_containers() { stop_running_containers " on node 2"; }

# shims and container processes of node 2: its network namespace, or its pod cgroups; its relays
n2_kill_leftovers() {
  local pid d ino; ino=$(n2_netns_inode || true)
  if [[ -n $ino ]]; then
    for pid in $(ip netns pids "$N2_NETNS" 2>/dev/null); do
      info "killing node 2's leftover process $pid: $(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null | cut -c1-100)"
      kill -KILL "$pid" 2>/dev/null || true
    done
  fi
  for d in $(cgroup_dirs); do
    [[ -d $d$N2_CGROUP_ROOT ]] || continue
    for pid in $(find "$d$N2_CGROUP_ROOT" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u); do kill -KILL "$pid" 2>/dev/null || true; done
  done
  # the relays' host ends run in node 1's namespace, named socat: stop_component finds them by pid
  # file only (find_ours matches the program name)
  for pid in $(pgrep -x socat 2>/dev/null); do
    if grep -qaF -- "$RUN/node2-" "/proc/$pid/cmdline" 2>/dev/null; then
      info "killing node 2's leftover relay $pid: $(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null | cut -c1-100)"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for _ in {1..20}; do [[ -z $(ip netns pids "$N2_NETNS" 2>/dev/null) ]] && break; sleep 0.1; done
}

# Removes what node 2 put on the host: processes, mount namespace, netns (with its bridge,
# iptables rules and ipsets), veth, routes, NAT rules, cgroups, /var/log/containers links.
n2_remove_all() {
  n2_stop "${1:-}"
  n2_remove_mntns
  n2_remove_network
}

N2_COMPONENTS_ARR=($N2_COMPONENTS)

# down: node 2 goes first (its containers stop gracefully while node 1 still runs)
node2_down() {
  n2_configured || n2_netns_exists || [[ -d $N2_DIR ]] || return 0
  step "stopping node 2 ($N2_NAME)"
  n2_remove_all "${1:-}"
}

# `node remove 2 [--yes]`: node 2 leaves the cluster; node 1 keeps running. Devboxes running on
# node 2 would lose unsaved changes: listed, and refused without --yes.
cmd_node() {
  local verb="${1:-}" which="${2:-}" yes=0 a
  [[ $verb == remove && $which == 2 ]] || { echo "usage: devbox-cluster node remove 2 [--yes]" >&2; exit 2; }
  for a in "${@:3}"; do case $a in --yes | -y) yes=1 ;; *) echo "devbox-cluster node remove: unknown option '$a'" >&2; exit 2 ;; esac; done
  require_root "node remove"
  locate_binaries
  mkdir -p "$RUN"
  exec 9>"$RUN/lock"
  flock -w 60 9 || die "another devbox-cluster command holds $RUN/lock"
  local boxes; boxes=$(describe_devboxes "$(n2_running_devboxes)")
  if [[ -n $boxes && $yes == 0 ]]; then
    printf '%serror:%s devboxes run on %s; removing the node loses their unsaved changes (stop them first, or --yes):\n' "$C_R" "$C_0" "$N2_NAME" >&2
    sed 's/^/      /' <<<"$boxes" >&2
    exit 2
  fi
  step "removing node 2 ($N2_NAME)"
  if apiserver_ok 2>/dev/null; then kubectl_admin drain "$N2_NAME" --ignore-daemonsets --delete-emptydir-data --force --timeout=60s >>"$LOGS/kubectl.log" 2>&1 || true; fi
  rm -f "$N2_DIR/enabled"
  ensure_apiserver_guard   # node 2's pod CIDR no longer admitted
  n2_remove_all
  if apiserver_ok 2>/dev/null; then
    kubectl_admin delete node "$N2_NAME" --ignore-not-found >>"$LOGS/kubectl.log" 2>&1 || warn "could not delete Node $N2_NAME"
    # Pods bound to the deleted node (the agent's) are garbage-collected; no need to wait
  fi
  local l
  for l in /var/log/containers/*.log; do
    if [[ -L $l && $(readlink "$l") == "$N2_DIR/"* ]]; then rm -f "$l"; fi
  done
  rm -rf "$N2_DIR"
  rm -f "$PKI"/node2-kubelet.* "$PKI"/node2-kubelet-serving.*
  step "node $N2_NAME removed"
}

node2_status() { # lines for `status`; nothing when node 2 was never added
  n2_configured || return 0
  local c pid health ok rc=0
  for c in $N2_COMPONENTS; do
    case $c in
      node2-registry-host) ok=n2_registry_host_ok ;;
      node2-registry) ok=n2_registry_ok ;;
      node2-apiserver-host) ok=n2_apiserver_host_ok ;;
      node2-apiserver) ok=n2_apiserver_ok ;;
      node2-containerd) ok=n2_containerd_ok ;; node2-kubelet) ok=n2_kubelet_ok ;;
      node2-kube-proxy) ok=n2_kube_proxy_ok; [[ ${DEVBOX_SKIP_KUBE_PROXY:-} == 1 ]] && continue ;;
      node2-netpol) ok=n2_netpol_ok; [[ ${DEVBOX_SKIP_NETPOL:-} == 1 ]] && continue ;;
    esac
    pid=$(pid_of "$c" 2>/dev/null || true)
    if [[ -z $pid ]]; then health=stopped; rc=1
    elif n2_netns_exists && $ok >/dev/null 2>&1; then health=ok
    else health=FAILING; rc=1; fi
    printf '%-24s %-8s %-8s %s\n' "$c" "${pid:--}" "$health" "$LOGS/$c.log"
  done
  if [[ ${DEVBOX_SKIP_AGENT:-} == 1 ]]; then health=skipped
  elif n2_agent_answers; then health=ok; else health=FAILING; rc=1; fi
  printf '%-24s %-8s %-8s %s\n' node2-agent - "$health" "http://$N2_IP:$AGENT_PORT/healthz"
  return $rc
}
