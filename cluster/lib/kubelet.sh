# kubelet: webhook authn/authz, cgroupfs driver (containerd's runc uses
# cgroupfs too), root dir and pod logs under the state dir.

kubelet_ok() { curl -sf --max-time 2 "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz" >/dev/null; }

# Cluster DNS (lib/coredns.sh): Pods with dnsPolicy ClusterFirst get $CLUSTER_DNS_IP and the
# <ns>.svc.cluster.local search path; hostNetwork Pods with dnsPolicy Default keep resolvConf.
kubelet_dns_config() {
  [[ ${DEVBOX_SKIP_COREDNS:-} == 1 ]] && return
  printf 'clusterDomain: %s\nclusterDNS: [%s]\n' "$CLUSTER_DOMAIN" "$CLUSTER_DNS_IP"
}

write_kubelet_config() {
  mkdir -p "$STATE_DIR/kubelet" "$STATE_DIR/pod-logs"
  cat >"$STATE_DIR/kubelet-config.yaml.tmp" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $(node_ip)
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: $PKI/ca.crt
authorization:
  mode: Webhook
containerRuntimeEndpoint: unix://$CTRD_SOCK
cgroupDriver: cgroupfs
cgroupRoot: $CGROUP_ROOT
failSwapOn: false
podLogsDir: $STATE_DIR/pod-logs
resolvConf: /etc/resolv.conf
$(kubelet_dns_config)
# Small machines and CI disks: only evict when really out of space/memory.
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "1%"
  imagefs.available: "1%"
  nodefs.inodesFree: "1%"
imageGCHighThresholdPercent: 95
imageGCLowThresholdPercent: 90
serializeImagePulls: false
maxPods: 110
YAML
  # rewritten only when it changes: its mtime tells whether the running kubelet has read it
  if cmp -s "$STATE_DIR/kubelet-config.yaml.tmp" "$STATE_DIR/kubelet-config.yaml"; then
    rm -f "$STATE_DIR/kubelet-config.yaml.tmp"
  else
    mv "$STATE_DIR/kubelet-config.yaml.tmp" "$STATE_DIR/kubelet-config.yaml"
  fi
}

start_kubelet() {
  write_kubelet_config
  ensure_cgroup_root
  if already_running kubelet kubelet_ok; then
    # up does not restart what runs; a kubelet restart keeps every Pod running, so say how
    local pid; pid=$(pid_of kubelet)
    if (($(stat -c %Y "$STATE_DIR/kubelet-config.yaml") > $(proc_start_epoch "$pid"))); then
      warn "kubelet (pid $(pid_of kubelet)) started before $STATE_DIR/kubelet-config.yaml changed (e.g. no cluster DNS yet: new Pods log MissingClusterDNS). Pods keep running across a kubelet restart: kill $pid, then run up."
    fi
    return
  fi
  stop_component kubelet >/dev/null
  step "starting kubelet (node $NODE_NAME, $(node_ip))"
  start_bg kubelet "$BIN_DIR/kubelet" \
    --config="$STATE_DIR/kubelet-config.yaml" --kubeconfig="$KCFG/kubelet.kubeconfig" \
    --root-dir="$STATE_DIR/kubelet" --hostname-override="$NODE_NAME" --node-ip="$(node_ip)" --v=1
  wait_for kubelet "healthy on http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz" kubelet_ok
}

node_ready() {
  [[ $(kubectl_admin get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}

wait_node_ready() {
  step "waiting for node $NODE_NAME to be Ready and the default ServiceAccount"
  wait_for kubelet "Ready as node $NODE_NAME" node_ready
  wait_for kube-controller-manager "creating the default ServiceAccount" kubectl_admin -n default get serviceaccount default
}
