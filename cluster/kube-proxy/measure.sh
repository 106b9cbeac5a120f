#!/usr/bin/env bash
# Measures kube-proxy's iptables and nftables modes without touching the host's rules: each run
# is a kube-proxy in a throwaway network namespace (its own iptables/nftables), reading the live
# cluster's Services through a unix-socket relay to the apiserver (127.0.0.1 differs per netns).
# N Services (no selector, one EndpointSlice with 2 endpoints each) in a scratch namespace; the
# endpoints are addresses on the netns' loopback with a TCP listener.
# Prints per mode: the sync time kube-proxy reports (kubeproxy_sync_proxy_rules_duration_seconds)
# and connect latency (median/p95 of 200 connects) to a Pod address vs through the ClusterIP of
# the LAST Service (worst case for a linear rule list).
#   usage: measure.sh [services=300]      (root; needs the bundled cluster up)
set -euo pipefail
N="${1:-300}"
CLUSTER_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for f in common kube-proxy; do source "$CLUSTER_SRC/lib/$f.sh"; done
KP="$KUBE_PROXY_BIN_DIR/kube-proxy"; KC="$ADMIN_KUBECONFIG"; K="$CACHE_DIR/bin/$K8S_VERSION/kubectl --kubeconfig $KC"
tag=$RANDOM; NS="kp-measure-$tag"; NETNS="kpm$tag"; SOCK="/tmp/kpm-$tag.sock"; W=$(mktemp -d)
cleanup() {
  set +e
  [[ -n ${relay:-} ]] && kill "$relay" 2>/dev/null
  ip netns pids "$NETNS" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns del "$NETNS" 2>/dev/null
  $K delete ns "$NS" --wait=false >/dev/null 2>&1
  rm -rf "$W" "$SOCK"
}
trap cleanup EXIT
$K create ns "$NS" >/dev/null
for ((i = 0; i < N; i++)); do
  cat <<Y
apiVersion: v1
kind: Service
metadata: {name: s$i, namespace: $NS}
spec: {ports: [{port: 80, targetPort: 8080, protocol: TCP}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s$i-1, namespace: $NS, labels: {kubernetes.io/service-name: s$i}}
addressType: IPv4
ports: [{port: 8080, protocol: TCP}]
endpoints: [{addresses: [10.88.250.1]}, {addresses: [10.88.250.2]}]
---
Y
done >"$W/objs.yaml"
$K apply -f "$W/objs.yaml" >/dev/null
last_ip=$($K -n "$NS" get svc "s$((N - 1))" -o jsonpath='{.spec.clusterIP}')
ip netns add "$NETNS"
ip -n "$NETNS" link set lo up
ip -n "$NETNS" addr add 10.88.250.1/32 dev lo; ip -n "$NETNS" addr add 10.88.250.2/32 dev lo
# a route for the service range, as a node has (its default route): routing comes before nat OUTPUT
ip -n "$NETNS" route add "$SERVICE_CIDR" dev lo
socat "UNIX-LISTEN:$SOCK,fork" "TCP:127.0.0.1:$APISERVER_PORT" & relay=$!
ip netns exec "$NETNS" socat "TCP-LISTEN:$APISERVER_PORT,bind=127.0.0.1,fork,reuseaddr" "UNIX-CONNECT:$SOCK" &
ip netns exec "$NETNS" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8080)); s.listen(512)
while True:
    c, _ = s.accept(); c.close()' &
sleep 0.5
lat() { # ip port -> "median p95" in microseconds
  ip netns exec "$NETNS" python3 -c '
import socket, sys, time
ip, port = sys.argv[1], int(sys.argv[2]); t = []
for _ in range(220):
    s = socket.socket(); a = time.perf_counter(); s.connect((ip, port)); t.append((time.perf_counter() - a) * 1e6); s.close()
t = sorted(t[20:]); print(f"{t[len(t)//2]:.0f} {t[int(len(t)*0.95)]:.0f}")' "$1" "$2"
}
metric() { ip netns exec "$NETNS" curl -s "http://127.0.0.1:10249/metrics" | awk -v m="$1" 'index($1, m) == 1 && /IPv4/ {print $2}'; }
for mode in ${MODES:-iptables nftables}; do
  cat >"$W/cfg.yaml" <<Y
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $KC}
hostnameOverride: $NODE_NAME
mode: $mode
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["primary"]
iptables: {localhostNodePorts: false}
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
Y
  start=$(date +%s.%N)
  ip netns exec "$NETNS" "$KP" --config="$W/cfg.yaml" --v=0 >"$W/$mode.log" 2>&1 & kp=$!
  until ip netns exec "$NETNS" timeout 1 bash -c "exec 3<>/dev/tcp/$last_ip/80" 2>/dev/null; do
    sleep 0.05
    if (($(echo "$(date +%s.%N) - $start > 60" | bc))); then tail -n 20 "$W/$mode.log" >&2; echo "$mode: $last_ip:80 not reachable after 60s" >&2; exit 1; fi
  done
  ready=$(echo "$(date +%s.%N) - $start" | bc)
  sleep 2
  sum=$(metric kubeproxy_sync_proxy_rules_duration_seconds_sum); cnt=$(metric kubeproxy_sync_proxy_rules_duration_seconds_count)
  rules=$(if [[ $mode == iptables ]]; then ip netns exec "$NETNS" iptables-save | grep -c '^-A'; else ip netns exec "$NETNS" nft list ruleset | wc -l; fi)
  read -r pm pp < <(lat 10.88.250.1 8080); read -r cm cp < <(lat "$last_ip" 80)
  # one more Service while N exist: create -> its ClusterIP answers
  sed -e "s/name: s0\b/name: x-$mode/; s/name: s0-1/name: x-$mode-1/; s/service-name: s0\b/service-name: x-$mode/" \
    <(awk 'NR <= 12' "$W/objs.yaml") >"$W/x.yaml"
  t0=$(date +%s.%N); $K apply -f "$W/x.yaml" >/dev/null
  xip=$($K -n "$NS" get svc "x-$mode" -o jsonpath='{.spec.clusterIP}')
  until ip netns exec "$NETNS" timeout 1 bash -c "exec 3<>/dev/tcp/$xip/80" 2>/dev/null; do sleep 0.02; done
  add=$(echo "$(date +%s.%N) - $t0" | bc)
  printf '%-9s services=%d  start->last ClusterIP answers %.2fs  syncs=%s mean %.3fs  rules(lines)=%s  +1 Service->answers %.2fs  connect us: Pod IP median %s p95 %s | ClusterIP median %s p95 %s\n' \
    "$mode" "$N" "$ready" "$cnt" "$(echo "$sum / $cnt" | bc -l)" "$rules" "$add" "$pm" "$pp" "$cm" "$cp"
  kill "$kp"; wait "$kp" 2>/dev/null || true
  ip netns exec "$NETNS" "$KP" --cleanup --v=0 >/dev/null 2>&1 || true
done
