# The image registry: Debian's docker-registry (distribution 2.8) on loopback,
# storage under the state dir. Deletes are enabled for snapshot garbage collection.

start_registry() {
  local cfg="$STATE_DIR/registry/config.yml"
  mkdir -p "$STATE_DIR/registry/storage"
  cat >"$cfg" <<YML
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: true
      age: 24h
      interval: 6h
      dryrun: false
http:
  addr: $REGISTRY
  headers:
    X-Content-Type-Options: [nosniff]
YML
  already_running registry registry_ok && return
  stop_component registry >/dev/null
  step "starting registry on $REGISTRY"
  start_bg registry docker-registry serve "$cfg"
  wait_for registry "answering on http://$REGISTRY/v2/" registry_ok
}

registry_ok() { curl -sf --max-time 2 "http://$REGISTRY/v2/" >/dev/null; }
