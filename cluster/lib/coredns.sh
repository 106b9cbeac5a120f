# Cluster DNS: CoreDNS (github.com/coredns/coredns, pinned, built from the Go module proxy in its
# own module cluster/coredns/ with only the plugins the Corefile below uses), packaged as a
# one-layer image (cluster/lib/images.sh push_binary_image) in the local registry, and run as the
# Deployment kube-system/coredns behind the Service kube-system/kube-dns ($CLUSTER_DNS_IP).
#
# An ordinary Pod on the pod network behind a selector Service: it reaches the apiserver through
# the `kubernetes` Service with its ServiceAccount token (lib/control-plane.sh apiserver_args), and
# the team egress policies allow port 53 to any address, its Pod IP included. (Until the apiserver
# listened on the node address it ran on the host network with a hand-made EndpointSlice
# `kube-dns-gateway`; `up` deletes that one.)
#
# Names outside the cluster get NXDOMAIN at once: there is no upstream to forward to here.

COREDNS_VERSION="v1.14.7"
COREDNS_BIN_DIR="$CACHE_DIR/bin/coredns-$COREDNS_VERSION"
COREDNS_HEALTH_PORT=8080   # inside its Pod
COREDNS_READY_PORT=8181
CLUSTER_DOMAIN="cluster.local"

CLUSTER_DNS_IP="${DEVBOX_CLUSTER_DNS_IP:-$(cidr_host "$SERVICE_CIDR" 10)}"

coredns_recipe_hash() { module_recipe_hash coredns "$COREDNS_VERSION" main.go; }

ensure_coredns_binary() {
  build_module_binary coredns coredns "$COREDNS_BIN_DIR" "$(coredns_recipe_hash)" \
    "-s -w -X github.com/coredns/coredns/coremain.GitCommit=module-$COREDNS_VERSION" . "CoreDNS $COREDNS_VERSION"
}

coredns_manifests() { # image
  cat <<YAML
apiVersion: v1
kind: ServiceAccount
metadata: {name: coredns, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "devbox:coredns"}
rules:
- apiGroups: [""]
  resources: [services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "devbox:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "devbox:coredns"}
subjects: [{kind: ServiceAccount, name: coredns, namespace: kube-system}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: coredns, namespace: kube-system}
data:
  Corefile: |
    $CLUSTER_DOMAIN:53 in-addr.arpa:53 ip6.arpa:53 {
        errors
        health :$COREDNS_HEALTH_PORT
        ready :$COREDNS_READY_PORT
        kubernetes $CLUSTER_DOMAIN in-addr.arpa ip6.arpa {
            pods insecure
            ttl 30
        }
        cache 30
        loadbalance
        reload
    }
    # everything else: no upstream on this machine, so NXDOMAIN at once instead of a timeout
    .:53 {
        errors
        template ANY ANY {
            rcode NXDOMAIN
        }
    }
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  replicas: 1
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}   # no gap in DNS on an update
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      serviceAccountName: coredns
      priorityClassName: system-cluster-critical
      dnsPolicy: Default
      containers:
      - name: coredns
        image: $1
        args: [-conf, /etc/coredns/Corefile]
        ports:
        - {name: dns, containerPort: 53, protocol: UDP}
        - {name: dns-tcp, containerPort: 53, protocol: TCP}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
        resources:
          requests: {cpu: 50m, memory: 32Mi}
          limits: {memory: 128Mi}
        readinessProbe:
          httpGet: {path: /ready, port: $COREDNS_READY_PORT}
          periodSeconds: 2
        livenessProbe:
          httpGet: {path: /health, port: $COREDNS_HEALTH_PORT}
          periodSeconds: 10
          failureThreshold: 5
        volumeMounts: [{name: config, mountPath: /etc/coredns, readOnly: true}]
      volumes: [{name: config, configMap: {name: coredns}}]
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: $CLUSTER_DNS_IP
  selector: {k8s-app: kube-dns}
  ports:
  - {name: dns, port: 53, targetPort: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, targetPort: 53, protocol: TCP}
YAML
}

coredns_answers() { # the Service (DNS over TCP) answers through kube-proxy, from the host
  timeout 2 bash -c "exec 3<>/dev/tcp/$CLUSTER_DNS_IP/53" 2>/dev/null
}

ensure_coredns() {
  if [[ ${DEVBOX_SKIP_COREDNS:-} == 1 ]]; then step "cluster DNS skipped (DEVBOX_SKIP_COREDNS=1)"; return; fi
  step "cluster DNS (CoreDNS $COREDNS_VERSION, kube-system/coredns, Service $CLUSTER_DNS_IP)"
  ensure_coredns_binary
  local ref="$REGISTRY/devbox/coredns:$COREDNS_VERSION-$(coredns_recipe_hash)"
  push_binary_image "$COREDNS_BIN_DIR/coredns" "$ref" /coredns >>"$LOGS/coredns.log" 2>&1 ||
    die "packaging the CoreDNS image failed; see $LOGS/coredns.log"
  coredns_manifests "$ref" | kubectl_admin apply -f - >>"$LOGS/coredns.log" 2>&1 ||
    die "applying the CoreDNS manifests failed; see $LOGS/coredns.log"
  # an older cluster's hand-made endpoint (CoreDNS on the host network); the Service selects the Pod now
  kubectl_admin -n kube-system delete endpointslice kube-dns-gateway --ignore-not-found >>"$LOGS/coredns.log" 2>&1 || true
  wait_for kubelet "running CoreDNS (kube-system/coredns ready)" \
    kubectl_admin -n kube-system rollout status deploy/coredns --timeout=2s
  if [[ -n $(pid_of kube-proxy 2>/dev/null) ]]; then
    wait_for kube-proxy "routing the cluster DNS Service $CLUSTER_DNS_IP:53" coredns_answers
  fi
}

coredns_status() { # one line for `status`
  [[ ${DEVBOX_SKIP_COREDNS:-} == 1 ]] && { printf '%-24s %-8s %-8s %s\n' coredns - skipped "$LOGS/coredns.log"; return 0; }
  apiserver_ok 2>/dev/null || { printf '%-24s %-8s %-8s %s\n' coredns - unknown "(apiserver down)"; return 1; }
  local ready; ready=$(kubectl_admin -n kube-system get deploy coredns -o 'jsonpath={.status.readyReplicas}' 2>/dev/null || true)
  if [[ ${ready:-0} -ge 1 ]] && coredns_answers; then printf '%-24s %-8s %-8s %s\n' coredns - ok "kube-system/coredns, $CLUSTER_DNS_IP:53"; return 0; fi
  printf '%-24s %-8s %-8s %s\n' coredns - FAILING "kube-system/coredns (ready: ${ready:-0}), $CLUSTER_DNS_IP:53"; return 1
}
