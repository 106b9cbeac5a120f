# kube-apiserver (loopback and the node address, see apiserver_args), kube-controller-manager and
# kube-scheduler (loopback).

apiserver_ok() { https_ok "https://127.0.0.1:$APISERVER_PORT/readyz" >/dev/null; }
# controller-manager and scheduler serve self-signed certs (generated in --cert-dir)
kcm_ok() { curl -skf --max-time 3 "https://127.0.0.1:$KCM_PORT/healthz" >/dev/null; }
scheduler_ok() { curl -skf --max-time 3 "https://127.0.0.1:$SCHEDULER_PORT/healthz" >/dev/null; }

# Where the apiserver listens: loopback for the host's clients (kubeconfigs, controller-manager,
# scheduler, kubelet, a dashboard on the host) and the node address for Pods, which reach it
# through the `kubernetes` Service (10.96.0.1:443 -> <node IP>:$APISERVER_PORT, the endpoint the
# apiserver advertises). kube-apiserver takes one --bind-address, so it is the wildcard, and the
# apiserver guard (lib/network.sh) turns away every client that is neither on this host nor a Pod.
# No anonymous requests (not even /version, /healthz): a Pod without credentials gets nothing.
apiserver_args() {
  printf '%s\n' \
    --bind-address=0.0.0.0 --secure-port="$APISERVER_PORT" --advertise-address="$(node_ip)" \
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
    --anonymous-auth=false \
    --allow-privileged=true --profiling=false --v=1 \
    --cert-dir="$STATE_DIR/apiserver-certs"
}

# Why a running apiserver must be restarted, if it must: it runs with other flags than this up
# wants (an older cluster: loopback only, no aggregation layer), or its serving certificate was
# renewed after it started (ensure_certs adds missing names). Empty when it is current.
apiserver_outdated() { # pid
  local pid="$1" running wanted
  running=$(tail -z -n +2 "/proc/$pid/cmdline" 2>/dev/null | tr '\0' '\n')
  wanted=$(apiserver_args)
  if [[ $running != "$wanted" ]]; then
    echo "its flags differ from this up's: $(diff <(sort <<<"$running") <(sort <<<"$wanted") | sed -n 's/^> //p' | cut -c1-60 | paste -sd' ')"
  elif [[ -f $RUN/kube-apiserver.serving-cert && $(serving_cert_sum) != "$(<"$RUN/kube-apiserver.serving-cert")" ]]; then
    echo "its serving certificate was renewed after it started"
  fi
}

# the serving certificate a started apiserver read (kept in $RUN/kube-apiserver.serving-cert)
serving_cert_sum() { sha256sum <"$PKI/kube-apiserver.crt" | cut -d' ' -f1; }

start_apiserver() {
  ensure_apiserver_guard   # lib/network.sh: before it listens beyond loopback
  local pid why restarted=0
  # Restarting the apiserver alone loses nothing: Pods, devboxes and the other components keep
  # running and reconnect; clients see the API away for ≈ 10 s.
  if pid=$(pid_of kube-apiserver || adopt_stray kube-apiserver) && why=$(apiserver_outdated "$pid") && [[ -n $why ]]; then
    step "restarting kube-apiserver (pid $pid): $why (Pods keep running; the API is away ≈ 10 s)"
    stop_component kube-apiserver
    restarted=1
  fi
  already_running kube-apiserver apiserver_ok && return
  stop_component kube-apiserver >/dev/null
  step "starting kube-apiserver on https://127.0.0.1:$APISERVER_PORT and https://$(node_ip):$APISERVER_PORT (Pods: the kubernetes Service)"
  local args; mapfile -t args < <(apiserver_args)
  serving_cert_sum >"$RUN/kube-apiserver.serving-cert"
  start_bg kube-apiserver "$BIN_DIR/kube-apiserver" "${args[@]}"
  wait_for kube-apiserver "ready on https://127.0.0.1:$APISERVER_PORT/readyz" apiserver_ok
  # it replaced the running cluster's apiserver: a later failure of this up must not stop it
  if ((restarted)); then keep_on_failure kube-apiserver; fi
}

# The path Pods take to the apiserver: the `kubernetes` Service's EndpointSlice names the node
# address, and kube-proxy translates the Service IP to it (checked from the host, TLS verified
# against the cluster CA for the name kubernetes.default.svc, as an in-cluster client does).
kubernetes_service_ok() {
  local ip slice; ip=$(node_ip)
  slice=$(kubectl_admin -n default get endpointslice -l kubernetes.io/service-name=kubernetes \
    -o 'jsonpath={range .items[*]}{.endpoints[*].addresses[*]}:{.ports[*].port}{"\n"}{end}' 2>/dev/null) || return 1
  [[ $slice == *"$ip:$APISERVER_PORT"* ]] || return 1
  curl -sf --max-time 3 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    --resolve "kubernetes.default.svc:443:$(first_service_ip)" "https://kubernetes.default.svc/readyz" >/dev/null
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
