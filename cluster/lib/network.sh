# Pod network: CNI bridge + host-local IPAM + portmap (Debian's plugins in
# /usr/lib/cni); containerd adds loopback itself. Everything it creates is
# named/tagged so down can remove exactly it: bridge $BRIDGE, IPAM state under
# the state dir, iptables rules carrying the comment 'name: "devbox"'.

cidr_host() { # 10.96.0.0/16 10 -> 10.96.0.10 (host number added to the network address)
  local net=${1%/*} a b c d n
  IFS=. read -r a b c d <<<"$net"
  n=$(((a << 24 | b << 16 | c << 8 | d) + $2))
  echo "$((n >> 24 & 255)).$((n >> 16 & 255)).$((n >> 8 & 255)).$((n & 255))"
}
POD_GATEWAY="$(cidr_host "$POD_CIDR" 1)"   # the CNI bridge's address (host-local's default gateway)

# The bridge normally appears with the first Pod on the pod network; `up` makes it beforehand so
# its gateway address exists from the start (the CNI bridge plugin adopts an existing bridge and
# its gateway address).
ensure_pod_bridge() {
  local prefix=${POD_CIDR#*/}
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge || die "cannot create bridge $BRIDGE"
  ip -4 addr show dev "$BRIDGE" | grep -qF " $POD_GATEWAY/" || ip addr add "$POD_GATEWAY/$prefix" dev "$BRIDGE" ||
    die "cannot give bridge $BRIDGE the address $POD_GATEWAY/$prefix"
  ip link set "$BRIDGE" up
}

write_cni_config() {
  mkdir -p "$STATE_DIR/cni/net.d" "$STATE_DIR/cni/ipam"
  cat >"$STATE_DIR/cni/net.d/10-devbox.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "$CNI_NETWORK",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$POD_CIDR" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$STATE_DIR/cni/ipam"
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
}

# Remove what CNI/kubelet put into iptables when pods could not be torn down
# through CRI (e.g. containerd's state was lost): our tagged rules, the
# per-container chains they jump to, and kubelet's KUBE-* canary/hint chains.
sweep_iptables() {
  local ipt table rules line chain target
  for ipt in iptables ip6tables; do
    command -v "$ipt" >/dev/null || continue
    for table in nat filter mangle; do
      rules=$("$ipt-save" -t "$table" 2>/dev/null) || continue
      local chains=()
      while IFS= read -r line; do
        chain=$(awk '{print $2}' <<<"$line")
        target=$(grep -o -- '-j [^ ]*' <<<"$line" | awk '{print $2}')
        [[ $chain == CNI-* && $chain != CNI-HOSTPORT-* ]] && chains+=("$chain")
        [[ $target == CNI-* && $target != CNI-HOSTPORT-* ]] && chains+=("$target")
        eval "$ipt -t $table -D ${line#-A }" 2>/dev/null || true
      done < <(grep -- '^-A ' <<<"$rules" | grep -F -- "name: \\\"$CNI_NETWORK\\\"" || true)
      # kubelet's own chains, unless another kubelet (another cluster on this host) still uses them
      pgrep -x kubelet >/dev/null && rules=$(grep -v -- 'KUBE-' <<<"$rules")
      while IFS= read -r line; do
        eval "$ipt -t $table -D ${line#-A }" 2>/dev/null || true
      done < <(grep -E -- '^-A [A-Z]+ .*-j KUBE-' <<<"$rules" || true)
      chains+=($(grep -oE '^:KUBE-[A-Z-]+' <<<"$rules" | tr -d : || true))
      for chain in $(printf '%s\n' "${chains[@]}" | sort -u); do
        "$ipt" -t "$table" -F "$chain" 2>/dev/null || true
        "$ipt" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
}

remove_network() {
  local v
  for v in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link del "$v" 2>/dev/null || true
  done
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link del "$BRIDGE" && info "removed bridge $BRIDGE"
  fi
  remove_service_guard
  remove_apiserver_guard
  sweep_iptables
  rm -rf "$STATE_DIR/cni/ipam"
}

# The service range is virtual: only kube-proxy's DNAT (nat PREROUTING for pods, nat OUTPUT for
# the host) turns a ClusterIP into a Pod IP. A connection no Service rule matched would follow the
# default route off this machine. The guard rejects whatever is still addressed to the service
# range after every DNAT, for forwarded (Pod) and local (host) traffic.
# Its own nftables table, not rules in iptables' FORWARD: the NetworkPolicy enforcer and kube-proxy
# put their jumps at the top of FORWARD whenever they restart, and the enforcer ACCEPTs what a
# policy allows there, so a rule below it never sees that traffic. A reject in a separate base chain
# is final whatever another chain accepted.
# REJECT, not a silent DROP: nothing is forwarded and the caller fails at once (TCP gets a reset,
# ECONNREFUSED at the first SYN; the rest an ICMP port-unreachable) instead of waiting for a timeout.
SERVICE_GUARD_TABLE="devbox_service_guard_${CNI_NETWORK//[^A-Za-z0-9_]/_}"

ensure_service_guard() {
  local rules="ip daddr $SERVICE_CIDR meta l4proto tcp counter reject with tcp reset
    ip daddr $SERVICE_CIDR counter reject with icmpx type port-unreachable"
  # priority -10: after the DNATs (nat output -100, prerouting before routing), before the filter chains
  nft -f - <<NFT || die "cannot add the service-range guard (nftables table inet $SERVICE_GUARD_TABLE)"
table inet $SERVICE_GUARD_TABLE {}
delete table inet $SERVICE_GUARD_TABLE
table inet $SERVICE_GUARD_TABLE {
  chain forward {
    type filter hook forward priority -10; policy accept;
    $rules
  }
  chain output {
    type filter hook output priority -10; policy accept;
    $rules
  }
}
NFT
  remove_iptables_service_guard
}

remove_service_guard() {
  nft delete table inet "$SERVICE_GUARD_TABLE" 2>/dev/null || true
  remove_iptables_service_guard
}

# An earlier version of the guard lived in iptables FORWARD/OUTPUT, tagged with this comment.
remove_iptables_service_guard() {
  local chain c="-d $SERVICE_CIDR -m comment --comment devbox-service-guard:$CNI_NETWORK"
  for chain in FORWARD OUTPUT; do
    # shellcheck disable=SC2086
    while iptables -w -D "$chain" -p tcp $c -j REJECT --reject-with tcp-reset 2>/dev/null; do :; done
    # shellcheck disable=SC2086
    while iptables -w -D "$chain" $c -j REJECT --reject-with icmp-port-unreachable 2>/dev/null; do :; done
  done
}

# The apiserver guard: the apiserver listens on every address (lib/control-plane.sh
# apiserver_args) so that Pods reach it on the node address; this lets only this host (anything
# arriving on loopback: every local connection, to any local address) and the pod network
# (APISERVER_CLIENT_CIDRS, the pod CIDR; Pods come through the `kubernetes` Service or the node
# address) connect to its port; everyone else, e.g. another machine on the node's network, gets a
# TCP reset. Which Pods may is the NetworkPolicies' business: the team egress policies deny the
# node's addresses and the Service IP (lib/k8s/team-network-policy.ts). Own nftables table, input
# hook: as the service guard, a reject here is final whatever another chain accepts.
APISERVER_GUARD_TABLE="devbox_apiserver_guard_${CNI_NETWORK//[^A-Za-z0-9_]/_}"
APISERVER_CLIENT_CIDRS="${DEVBOX_APISERVER_CLIENT_CIDRS:-$POD_CIDR}"   # besides this host; comma-separated

# The sources the guard admits now: node 2's Pods too while node 2 is part of the cluster (from
# its pod CIDR, or from its own address: its bridge masquerades what leaves the pod subnet)
# (lib/node2.sh calls ensure_apiserver_guard again when it is added or removed).
apiserver_client_cidrs() {
  if [[ -z ${DEVBOX_APISERVER_CLIENT_CIDRS:-} ]] && n2_configured; then echo "$APISERVER_CLIENT_CIDRS, $N2_POD_CIDR, $N2_IP"; else echo "$APISERVER_CLIENT_CIDRS"; fi
}

ensure_apiserver_guard() {
  local cidrs; cidrs=$(apiserver_client_cidrs)
  nft -f - <<NFT || die "cannot add the apiserver guard (nftables table inet $APISERVER_GUARD_TABLE)"
table inet $APISERVER_GUARD_TABLE {}
delete table inet $APISERVER_GUARD_TABLE
table inet $APISERVER_GUARD_TABLE {
  chain input {
    type filter hook input priority -10; policy accept;
    tcp dport $APISERVER_PORT iifname "lo" accept
    tcp dport $APISERVER_PORT ip saddr { $cidrs } accept
    tcp dport $APISERVER_PORT counter reject with tcp reset
  }
}
NFT
}

remove_apiserver_guard() { nft delete table inet "$APISERVER_GUARD_TABLE" 2>/dev/null || true; }

# The guard's table with its final reject. Without it an apiserver on 0.0.0.0 answers the whole
# network (e.g. after `nft flush ruleset` or a firewall reload); the next `up` puts it back.
apiserver_guard_ok() { nft list table inet "$APISERVER_GUARD_TABLE" 2>/dev/null | grep -q "tcp dport $APISERVER_PORT .*reject"; }

apiserver_guard_status() { # one line for `status`; fails when the apiserver runs unguarded
  local pid; pid=$(pid_of kube-apiserver 2>/dev/null || true)
  if apiserver_guard_ok; then printf '%-24s %-8s %-8s %s\n' apiserver-guard - ok "nft table inet $APISERVER_GUARD_TABLE"; return 0; fi
  if [[ -z $pid ]]; then printf '%-24s %-8s %-8s %s\n' apiserver-guard - stopped "nft table inet $APISERVER_GUARD_TABLE"; return 0; fi
  printf '%-24s %-8s %-8s %s\n' apiserver-guard - MISSING "the apiserver listens on every address unguarded: run up again (nft table inet $APISERVER_GUARD_TABLE)"
  return 1
}
