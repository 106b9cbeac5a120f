# PKI with openssl, as local-up-cluster.sh does: one CA, serving certs, one
# client cert per component, a service-account key pair. ECDSA P-256 keys.
# Existing certs are kept (so kubeconfigs handed out stay valid) unless their SANs differ from
# the wanted ones (the node IP changed, or an older cluster's cert lacks a name): the SANs are read
# from the certificate itself, not only from the .sans note written beside it.

gen_key() { [[ -f $1 ]] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

# gen_cert name subject kind(server|client|both) [sans]
gen_cert() {
  local name="$1" subj="$2" kind="$3" sans="${4:-}"
  local crt="$PKI/$name.crt" key="$PKI/$name.key" ext="$PKI/$name.ext"
  if [[ -f $crt && -f $key ]] && [[ $(cat "$PKI/$name.sans" 2>/dev/null) == "$sans" ]] &&
    [[ $(cert_sans "$crt") == "$(sorted_sans "$sans")" ]]; then return; fi
  [[ -f $crt ]] && info "renewing certificate $name (subject alternative names: $sans)"
  gen_key "$key"
  local eku
  case $kind in
    server) eku=serverAuth ;; client) eku=clientAuth ;; both) eku=serverAuth,clientAuth ;;
  esac
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n $sans ]] && echo "subjectAltName=$sans"
  } >"$ext"
  openssl req -new -key "$key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$ext" -out "$crt" 2>/dev/null || die "openssl could not sign $name"
  echo "$sans" >"$PKI/$name.sans"
  rm -f "$PKI/$name.csr"
}

# "IP:1.2.3.4,DNS:x" -> one a line, sorted (IPv4 only: the cluster is IPv4)
sorted_sans() { tr ',' '\n' <<<"$1" | sed '/^$/d' | sort; }
cert_sans() { # the SANs in a certificate, in sorted_sans' form
  openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | sed 1d | tr ',' '\n' |
    sed -e 's/^ *//' -e 's/^IP Address:/IP:/' -e '/^$/d' | sort
}

ensure_certs() {
  step "certificates in $PKI"
  local ip; ip=$(node_ip)
  if [[ ! -f $PKI/ca.crt ]]; then
    gen_key "$PKI/ca.key"
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=devbox-cluster-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$PKI/ca.crt" 2>/dev/null || die "openssl could not create the CA"
  fi
  local svc_ip; svc_ip=$(first_service_ip)
  gen_cert etcd-server "/CN=etcd-server" both "IP:127.0.0.1,DNS:localhost"
  gen_cert apiserver-etcd-client "/CN=kube-apiserver-etcd-client" client
  gen_cert kube-apiserver "/CN=kube-apiserver" server \
    "IP:127.0.0.1,IP:$ip,IP:$svc_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  gen_cert apiserver-kubelet-client "/O=devbox:apiserver/CN=kube-apiserver-kubelet-client" client
  gen_cert admin "/O=system:masters/CN=devbox-admin" client
  gen_cert kube-controller-manager "/CN=system:kube-controller-manager" client
  gen_cert kube-scheduler "/CN=system:kube-scheduler" client
  gen_cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" client
  gen_cert kubelet-serving "/O=system:nodes/CN=system:node:$NODE_NAME" server "IP:$ip,IP:127.0.0.1,DNS:$NODE_NAME,DNS:localhost"
  gen_cert dashboard "/O=devbox:dashboards/CN=devbox:dashboard" client
  # the aggregation layer: the apiserver's client cert towards metrics-server (lib/metrics-server.sh);
  # only this CN may assert a user in request headers (--requestheader-allowed-names)
  gen_cert front-proxy-client "/CN=front-proxy-client" client
  gen_key "$PKI/sa.key"
  [[ -f $PKI/sa.pub ]] || openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null

  write_kubeconfig admin admin
  write_kubeconfig dashboard dashboard
  write_kubeconfig kube-controller-manager kube-controller-manager
  write_kubeconfig kube-scheduler kube-scheduler
  write_kubeconfig kubelet kubelet
}

first_service_ip() { # 10.96.0.0/16 -> 10.96.0.1
  local net=${SERVICE_CIDR%/*}; echo "${net%.*}.$((${net##*.} + 1))"
}

b64() { base64 -w0 <"$1"; }

# Self-contained kubeconfig (certs embedded) so it can be copied anywhere.
write_kubeconfig() {
  local name="$1" cert="$2" out="$KCFG/$1.kubeconfig"
  umask 077
  cat >"$out.tmp" <<KC
apiVersion: v1
kind: Config
clusters:
- name: devbox
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: $name
  user:
    client-certificate-data: $(b64 "$PKI/$cert.crt")
    client-key-data: $(b64 "$PKI/$cert.key")
contexts:
- name: devbox
  context:
    cluster: devbox
    user: $name
current-context: devbox
KC
  mv "$out.tmp" "$out"
  umask 022
}
