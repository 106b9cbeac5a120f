# kube-apiserver, kube-controller-manager, kube-scheduler, all bound to loopback.

apiserver_ok() { https_ok "https://127.0.0.1:$APISERVER_PORT/readyz" >/dev/null; }
# controller-manager and scheduler serve self-signed certs (generated in --cert-dir)
kcm_ok() { curl -skf --max-time 3 "https://127.0.0.1:$KCM_PORT/healthz" >/dev/null; }
scheduler_ok() { curl -skf --max-time 3 "https://127.0.0.1:$SCHEDULER_PORT/healthz" >/dev/null; }

start_apiserver() {
  already_running kube-apiserver apiserver_ok && return
  stop_component kube-apiserver >/dev/null
  step "starting kube-apiserver on https://127.0.0.1:$APISERVER_PORT"
  start_bg kube-apiserver "$BIN_DIR/kube-apiserver" \
    --bind-address=127.0.0.1 --secure-port="$APISERVER_PORT" --advertise-address="$(node_ip)" \
    --etcd-servers="https://127.0.0.1:$ETCD_PORT" --etcd-cafile="$PKI/ca.crt" \
    --etcd-certfile="$PKI/apiserver-etcd-client.crt" --etcd-keyfile="$PKI/apiserver-etcd-client.key" \
    --client-ca-file="$PKI/ca.crt" \
    --tls-cert-file="$PKI/kube-apiserver.crt" --tls-private-key-file="$PKI/kube-apiserver.key" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP,Hostname \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --requestheader-client-ca-file="$PKI/ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true --profiling=false --v=1 \
    --cert-dir="$STATE_DIR/apiserver-certs"
  wait_for kube-apiserver "ready on https://127.0.0.1:$APISERVER_PORT/readyz" apiserver_ok
}

start_controller_manager() {
  already_running kube-controller-manager kcm_ok && return
  stop_component kube-controller-manager >/dev/null
  step "starting kube-controller-manager"
  local kc="$KCFG/kube-controller-manager.kubeconfig"
  start_bg kube-controller-manager "$BIN_DIR/kube-controller-manager" \
    --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --cert-dir="$STATE_DIR/kcm-certs" \
    --client-ca-file="$PKI/ca.crt" \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --use-service-account-credentials=true --leader-elect=false \
    --service-cluster-ip-range="$SERVICE_CIDR" --cluster-name=devbox --profiling=false --v=1
  wait_for kube-controller-manager "healthy on https://127.0.0.1:$KCM_PORT/healthz" kcm_ok
}

start_scheduler() {
  already_running kube-scheduler scheduler_ok && return
  stop_component kube-scheduler >/dev/null
  step "starting kube-scheduler"
  local kc="$KCFG/kube-scheduler.kubeconfig"
  start_bg kube-scheduler "$BIN_DIR/kube-scheduler" \
    --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" --cert-dir="$STATE_DIR/scheduler-certs" \
    --client-ca-file="$PKI/ca.crt" --leader-elect=false --profiling=false --v=1
  wait_for kube-scheduler "healthy on https://127.0.0.1:$SCHEDULER_PORT/healthz" scheduler_ok
}
