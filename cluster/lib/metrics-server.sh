# Resource metrics: metrics-server (sigs.k8s.io/metrics-server, pinned, built from the Go module
# proxy in its own module cluster/metrics-server/), a one-layer image like CoreDNS's, as the
# Deployment kube-system/metrics-server behind the APIService v1beta1.metrics.k8s.io, so
# `kubectl top` and the Metrics API work.
#
# The aggregation layer: the apiserver proxies /apis/metrics.k8s.io to it with the client cert
# front-proxy-client (certs.sh) and --requestheader-* flags (control-plane.sh), dials its Pod
# directly (--enable-aggregator-routing: the apiserver is a host process) and verifies its serving
# certificate against the APIService's caBundle: `up` issues it from the cluster CA for
# metrics-server.kube-system.svc (the name the aggregator checks) into the Secret
# kube-system/metrics-server-tls. An ordinary Pod on the pod network: it reaches the apiserver through the
# `kubernetes` Service and the kubelets on their node address, with its ServiceAccount.

METRICS_SERVER_VERSION="v0.8.0"
METRICS_SERVER_BIN_DIR="$CACHE_DIR/bin/metrics-server-$METRICS_SERVER_VERSION"
METRICS_SERVER_PORT=4443   # inside its Pod

metrics_server_recipe_hash() { module_recipe_hash metrics-server "$METRICS_SERVER_VERSION"; }

ensure_metrics_server_binary() {
  build_module_binary metrics-server metrics-server "$METRICS_SERVER_BIN_DIR" "$(metrics_server_recipe_hash)" \
    "-s -w -X sigs.k8s.io/metrics-server/pkg/version.gitVersion=$METRICS_SERVER_VERSION" \
    sigs.k8s.io/metrics-server/cmd/metrics-server "metrics-server $METRICS_SERVER_VERSION"
}

metrics_server_manifests() { # image
  cat <<YAML
apiVersion: v1
kind: ServiceAccount
metadata: {name: metrics-server, namespace: kube-system}
---
apiVersion: v1
kind: Secret
metadata: {name: metrics-server-tls, namespace: kube-system}
type: kubernetes.io/tls
data:
  tls.crt: $(b64 "$PKI/metrics-server.crt")
  tls.key: $(b64 "$PKI/metrics-server.key")
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "devbox:metrics-server"}
rules:
- apiGroups: [""]
  resources: [nodes/metrics]
  verbs: [get]
- apiGroups: [""]
  resources: [pods, nodes]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "devbox:metrics-server"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "devbox:metrics-server"}
subjects: [{kind: ServiceAccount, name: metrics-server, namespace: kube-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "devbox:metrics-server:auth-delegator"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:auth-delegator"}
subjects: [{kind: ServiceAccount, name: metrics-server, namespace: kube-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: "devbox:metrics-server:auth-reader", namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
subjects: [{kind: ServiceAccount, name: metrics-server, namespace: kube-system}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: metrics-server, namespace: kube-system, labels: {k8s-app: metrics-server}}
spec:
  replicas: 1
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}
  selector: {matchLabels: {k8s-app: metrics-server}}
  template:
    metadata: {labels: {k8s-app: metrics-server}}
    spec:
      serviceAccountName: metrics-server
      priorityClassName: system-cluster-critical
      containers:
      - name: metrics-server
        image: $1
        args:
        - --secure-port=$METRICS_SERVER_PORT
        - --tls-cert-file=/etc/metrics-server/tls/tls.crt
        - --tls-private-key-file=/etc/metrics-server/tls/tls.key
        - --kubelet-preferred-address-types=InternalIP
        - --kubelet-use-node-status-port
        - --kubelet-certificate-authority=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt
        - --metric-resolution=15s
        ports: [{name: https, containerPort: $METRICS_SERVER_PORT, protocol: TCP}]
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          runAsNonRoot: true
          runAsUser: 65534
          capabilities: {drop: [ALL]}
        resources:
          requests: {cpu: 50m, memory: 64Mi}
          limits: {memory: 256Mi}
        readinessProbe:
          httpGet: {scheme: HTTPS, path: /readyz, port: $METRICS_SERVER_PORT}
          periodSeconds: 5
        volumeMounts:
        - {name: tmp, mountPath: /tmp}
        - {name: tls, mountPath: /etc/metrics-server/tls, readOnly: true}
      volumes:
      - {name: tmp, emptyDir: {}}
      - {name: tls, secret: {secretName: metrics-server-tls}}
---
apiVersion: v1
kind: Service
metadata: {name: metrics-server, namespace: kube-system, labels: {k8s-app: metrics-server}}
spec:
  selector: {k8s-app: metrics-server}
  ports: [{name: https, port: 443, targetPort: https, protocol: TCP}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  service: {name: metrics-server, namespace: kube-system, port: 443}
  caBundle: $(b64 "$PKI/ca.crt")   # its serving cert is issued by the cluster CA (ensure_metrics_server)
  groupPriorityMinimum: 100
  versionPriority: 100
YAML
}

apiserver_aggregates() { # the running apiserver has the front-proxy client cert
  local pid; pid=$(pid_of kube-apiserver 2>/dev/null) || return 1
  grep -qaF -- "--proxy-client-cert-file=" "/proc/$pid/cmdline"
}

metrics_api_ok() { kubectl_admin get --raw /apis/metrics.k8s.io/v1beta1/nodes >/dev/null 2>&1; }

ensure_metrics_server() {
  if [[ ${DEVBOX_SKIP_METRICS_SERVER:-} == 1 ]]; then step "metrics-server skipped (DEVBOX_SKIP_METRICS_SERVER=1)"; return; fi
  step "resource metrics (metrics-server $METRICS_SERVER_VERSION, kube-system/metrics-server)"
  if ! apiserver_aggregates; then
    # up does not restart what runs
    warn "kube-apiserver (pid $(pid_of kube-apiserver)) was started without the aggregation layer (--proxy-client-cert-file …), so the Metrics API cannot work; restart it (kill $(pid_of kube-apiserver), then run up: Pods keep running, the API is away for ≈ 10 s). metrics-server not deployed."
    return 0
  fi
  ensure_metrics_server_binary
  # the name the aggregator verifies: <service>.<namespace>.svc
  gen_cert metrics-server "/CN=metrics-server.kube-system.svc" server \
    "DNS:metrics-server.kube-system.svc,DNS:metrics-server.kube-system.svc.$CLUSTER_DOMAIN"
  local ref; ref="$REGISTRY/devbox/metrics-server:$METRICS_SERVER_VERSION-$(metrics_server_recipe_hash)"
  push_binary_image "$METRICS_SERVER_BIN_DIR/metrics-server" "$ref" /metrics-server >>"$LOGS/metrics-server.log" 2>&1 ||
    die "packaging the metrics-server image failed; see $LOGS/metrics-server.log"
  metrics_server_manifests "$ref" | kubectl_admin apply -f - >>"$LOGS/metrics-server.log" 2>&1 ||
    die "applying the metrics-server manifests failed; see $LOGS/metrics-server.log"
  wait_for kube-apiserver "serving the Metrics API (/apis/metrics.k8s.io through kube-system/metrics-server)" metrics_api_ok
}

metrics_server_status() { # one line for `status`
  [[ ${DEVBOX_SKIP_METRICS_SERVER:-} == 1 ]] && { printf '%-24s %-8s %-8s %s\n' metrics-server - skipped "$LOGS/metrics-server.log"; return 0; }
  if [[ -n $(pid_of kube-apiserver 2>/dev/null) ]] && ! apiserver_aggregates; then
    printf '%-24s %-8s %-8s %s\n' metrics-server - off "(kube-apiserver started without the aggregation layer; restart it, then up)"; return 0
  fi
  if apiserver_ok 2>/dev/null && metrics_api_ok; then printf '%-24s %-8s %-8s %s\n' metrics-server - ok "kube-system/metrics-server (Metrics API)"; return 0; fi
  printf '%-24s %-8s %-8s %s\n' metrics-server - FAILING "kube-system/metrics-server (Metrics API not served)"; return 1
}
