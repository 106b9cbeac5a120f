# The devbox node agent (agent/, see agent/README.md): built from source, packaged as one extra
# layer on top of devbox/base (umoci insert, no unpack), pushed to the local registry and
# deployed as a DaemonSet with agent/deploy/render.sh. The token is generated once and kept in
# $STATE_DIR/agent/token; the Secret devbox-agent-token (namespace devbox-system) holds the same
# value, and the dashboard reads it from there (or from DEVBOX_AGENT_TOKEN[_FILE]).
#
# Also: registry garbage collection (`bash cluster/lib/agent.sh registry-gc`), which needs the
# registry stopped — distribution's GC is unsafe while pushes may happen — so it is done here,
# next to the process that owns the registry.

AGENT_NAMESPACE="devbox-system"
AGENT_PORT="${DEVBOX_AGENT_PORT:-7070}"
AGENT_DIR="$STATE_DIR/agent"

ensure_agent() {
  step "node agent (agent/, DaemonSet devbox-agent in $AGENT_NAMESPACE; log: $LOGS/agent.log)"
  local src="$CLUSTER_SRC/../agent" bin hash ref work token
  [[ -x $src/build.sh ]] || { warn "agent/ not found; snapshots are unavailable"; return 0; }
  bin=$(bash "$src/build.sh" 2>>"$LOGS/agent.log") || die "building the agent failed; see $LOGS/agent.log"
  hash=$(cat "$bin.hash")
  ref="$REGISTRY/devbox/agent:$hash"
  if ! skopeo inspect --tls-verify=false "docker://$ref" >/dev/null 2>&1; then
    info "packaging $ref"
    work=$(mktemp -d)
    {
      skopeo copy -q --src-tls-verify=false "docker://$REGISTRY/devbox/base:bookworm" "oci:$work/oci:agent" &&
        umoci insert --image "$work/oci:agent" "$bin" /usr/local/bin/devbox-agent &&
        umoci config --image "$work/oci:agent" --config.entrypoint /usr/local/bin/devbox-agent --config.cmd serve \
          --config.label "dev.devbox.agent-hash=$hash" &&
        skopeo copy -q --dest-tls-verify=false "oci:$work/oci:agent" "docker://$ref"
    } >>"$LOGS/agent.log" 2>&1 || { rm -rf "$work"; die "packaging the agent image failed; see $LOGS/agent.log"; }
    rm -rf "$work"
  fi
  mkdir -p "$AGENT_DIR"; chmod 700 "$AGENT_DIR"
  [[ -s $AGENT_DIR/token ]] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$AGENT_DIR/token")
  token=$(<"$AGENT_DIR/token")
  CONTAINERD_SOCKET="$CTRD_SOCK" CONTAINERD_ROOT="$CTRD_DIR/root" IMAGE="$ref" REGISTRY="$REGISTRY" \
    PORT="$AGENT_PORT" NAMESPACE="$AGENT_NAMESPACE" TOKEN="$token" bash "$src/deploy/render.sh" |
    kubectl_admin apply -f - >>"$LOGS/agent.log" 2>&1 || die "applying the agent manifests failed; see $LOGS/agent.log"
  kubectl_admin -n "$AGENT_NAMESPACE" rollout status ds/devbox-agent --timeout="${UP_TIMEOUT}s" >>"$LOGS/agent.log" 2>&1 ||
    die "the agent DaemonSet did not become ready; see $LOGS/agent.log and: kubectl -n $AGENT_NAMESPACE describe ds devbox-agent"
  local ip; ip=$(node_ip)
  local i; for ((i = 0; i < 50; i++)); do curl -sf --max-time 2 "http://$ip:$AGENT_PORT/healthz" >/dev/null && break; sleep 0.2; done
  curl -sf --max-time 2 "http://$ip:$AGENT_PORT/healthz" >/dev/null || die "the agent does not answer on http://$ip:$AGENT_PORT/healthz"
  info "agent $ref ready on $ip:$AGENT_PORT (token: $AGENT_DIR/token)"
}

# Deletes unreferenced blobs. The registry is stopped for the sweep and started again; pushes
# during that window fail and are retried by their callers (the agent's commits are retried by
# the dashboard's reconciler). Prints the storage size before and after.
registry_gc() {
  local cfg="$STATE_DIR/registry/config.yml" store="$STATE_DIR/registry/storage" before after rc=0
  [[ -f $cfg ]] || die "no registry config at $cfg (is the cluster set up?)"
  exec 8>"$RUN/registry-gc.flock"
  flock -w 300 8 || die "another registry GC is running"
  before=$(du -sb "$store" | cut -f1)
  stop_component registry >/dev/null
  docker-registry garbage-collect --delete-untagged "$cfg" >>"$LOGS/registry-gc.log" 2>&1 || rc=$?
  start_bg registry docker-registry serve "$cfg" 8>&-   # the registry must not hold our lock
  local i; for ((i = 0; i < 100; i++)); do registry_ok && break; sleep 0.1; done
  registry_ok || die "the registry did not come back after garbage collection; see $LOGS/registry.log"
  after=$(du -sb "$store" | cut -f1)
  ((rc == 0)) || die "garbage-collect failed (exit $rc); see $LOGS/registry-gc.log"
  printf '{"bytesBefore":%s,"bytesAfter":%s}\n' "$before" "$after"
}

# Run directly: bash cluster/lib/agent.sh registry-gc
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -Eeuo pipefail
  CLUSTER_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  for f in common registry; do
    # shellcheck source=/dev/null
    source "$CLUSTER_SRC/lib/$f.sh"
  done
  case "${1:-}" in
    registry-gc) registry_gc ;;
    *) echo "usage: bash cluster/lib/agent.sh registry-gc" >&2; exit 2 ;;
  esac
fi
