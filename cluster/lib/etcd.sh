# etcd 3.6 (built from go.etcd.io/etcd/server/v3), mutual TLS on loopback.

etcd_ok() { curl -sf --max-time 2 "http://127.0.0.1:$ETCD_METRICS_PORT/health" | grep -q '"health":"true"'; }

start_etcd() {
  already_running etcd etcd_ok && return
  stop_component etcd >/dev/null
  step "starting etcd $ETCD_VERSION (data: $STATE_DIR/etcd)"
  mkdir -p "$STATE_DIR/etcd"; chmod 700 "$STATE_DIR/etcd"
  start_bg etcd "$BIN_DIR/etcd" \
    --name devbox --data-dir "$STATE_DIR/etcd" \
    --listen-client-urls "https://127.0.0.1:$ETCD_PORT" --advertise-client-urls "https://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "devbox=http://127.0.0.1:$ETCD_PEER_PORT" \
    --listen-metrics-urls "http://127.0.0.1:$ETCD_METRICS_PORT" \
    --cert-file "$PKI/etcd-server.crt" --key-file "$PKI/etcd-server.key" \
    --client-cert-auth --trusted-ca-file "$PKI/ca.crt" \
    --quota-backend-bytes 2147483648 --auto-compaction-retention 1h --log-level warn
  wait_for etcd "healthy on 127.0.0.1:$ETCD_METRICS_PORT/health" etcd_ok
}
