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
  local existed=0
  kubectl_admin -n "$AGENT_NAMESPACE" get ds devbox-agent >/dev/null 2>&1 && existed=1
  # ALLOW_FROM: the dashboard runs on node 1; it reaches another node's agent from node 1's address
  CONTAINERD_SOCKET="$CTRD_SOCK" CONTAINERD_ROOT="$CTRD_DIR/root" IMAGE="$ref" REGISTRY="$REGISTRY" \
    PORT="$AGENT_PORT" NAMESPACE="$AGENT_NAMESPACE" TOKEN="$token" ALLOW_FROM="$(node_ip)" KUBECTL="$BIN_DIR/kubectl" bash "$src/deploy/render.sh" |
    kubectl_admin apply -f - >>"$LOGS/agent.log" 2>&1 || die "applying the agent manifests failed; see $LOGS/agent.log"
  wait_agent_ready "$existed"
  info "agent $ref ready on $(node_ip):$AGENT_PORT (token: $AGENT_DIR/token)"
}

agent_answers() { curl -sf --max-time 2 "http://$(node_ip):$AGENT_PORT/healthz" >/dev/null; }

# The agent's Pod as one line: name, ready, waiting reason, restarts, back-off, last exit.
agent_pod_state() {
  # node 1's (with a second node, lib/node2.sh, the DaemonSet has a Pod there too)
  kubectl_admin -n "$AGENT_NAMESPACE" get pods -l app.kubernetes.io/name=devbox-agent -o json 2>/dev/null | jq -r --arg node "$NODE_NAME" '
    .items | map(select(.metadata.deletionTimestamp == null and (.spec.nodeName // $node) == $node)) | first // empty |
    (.status.containerStatuses // [] | map(select(.name == "agent")) | first // {}) as $c |
    [ .metadata.name, ($c.ready // false | tostring), ($c.state.waiting.reason // ((($c.state // {}) | keys | first) // "pending")),
      ($c.restartCount // 0 | tostring),
      (($c.state.waiting.message // "") | capture("back-off (?<b>[0-9hms]+)") | .b) // "-",
      ($c.lastState.terminated.finishedAt // "-"), ($c.lastState.terminated.exitCode // "-" | tostring),
      ($c.lastState.terminated.reason // "-") ] | join(" ")'
}

# "2m40s" -> 160
duration_s() { local d="$1" s=0; [[ $d =~ ([0-9]+)h ]] && s=$((s + BASH_REMATCH[1] * 3600)); [[ $d =~ ([0-9]+)m ]] && s=$((s + BASH_REMATCH[1] * 60)); [[ $d =~ ([0-9]+)s ]] && s=$((s + BASH_REMATCH[1])); echo "$s"; }

# Waits until the agent's Pod is ready and the agent answers. An agent in crash-loop back-off
# (killed a few times: Kubernetes then waits up to 5 min before each restart) that will not be
# retried within UP_TIMEOUT is reported at once; on a cluster that was already running, with
# exit 3 and nothing stopped.
wait_agent_ready() {
  local existed="$1" deadline=$((SECONDS + UP_TIMEOUT)) st name ready reason restarts backoff finished code why next=-1
  while :; do
    st=$(agent_pod_state || true)
    read -r name ready reason restarts backoff finished code why <<<"$st"
    if [[ $ready == true ]] && agent_answers; then return 0; fi
    next=-1
    if [[ $reason == CrashLoopBackOff && $backoff != - && $finished != - ]]; then
      next=$(($(date -d "$finished" +%s) + $(duration_s "$backoff") - $(date +%s)))
      ((next < 0)) && next=0
      ((SECONDS + next + 10 < deadline)) || break
    fi
    ((SECONDS < deadline)) || break
    sleep 2
  done
  local lines=()
  if [[ -z $name ]]; then
    lines=("No agent Pod exists. See: kubectl -n $AGENT_NAMESPACE describe ds devbox-agent; log: $LOGS/agent.log")
  else
    [[ $reason == CrashLoopBackOff ]] && lines+=("Pod $AGENT_NAMESPACE/$name is in crash-loop back-off: restarted $restarts times, last exit code $code ($why) at $(date -u -d "$finished" +%H:%M:%S) UTC; Kubernetes restarts it in $next s (it doubles the wait after every crash, up to 5 min).")
    [[ $reason != CrashLoopBackOff ]] && lines+=("Pod $AGENT_NAMESPACE/$name: ready=$ready, state $reason, $restarts restarts.")
    lines+=("Meanwhile devbox stops, restarts and snapshots wait for it (the dashboard shows \"Waiting for the node agent … Next try in N s.\"); running devboxes are not affected."
      "To restart it now: $BIN_DIR/kubectl --kubeconfig $ADMIN_KUBECONFIG -n $AGENT_NAMESPACE delete pod $name"
      "Why it crashed:    $BIN_DIR/kubectl --kubeconfig $ADMIN_KUBECONFIG -n $AGENT_NAMESPACE logs $name --previous")
  fi
  if [[ $existed == 1 ]]; then
    report_unhealthy "node agent" "(DaemonSet $AGENT_NAMESPACE/devbox-agent) is not ready." "${lines[@]}"
  fi
  printf '%serror:%s the node agent (DaemonSet %s/devbox-agent) did not become ready within %ss.\n' "$C_R" "$C_0" "$AGENT_NAMESPACE" "$UP_TIMEOUT" >&2
  printf '    %s\n' "${lines[@]}" >&2
  exit 1
}

# Deletes unreferenced blobs, on the filesystem or in the S3 bucket (lib/registry.sh: the same
# config and keys as the registry). The registry is stopped for the sweep and started again; pushes
# during that window fail and are retried by their callers (the agent's commits are retried by the
# dashboard's reconciler). Prints the storage size before and after (S3: the bucket listing).
registry_gc() {
  local before after rc=0
  [[ -f $REGISTRY_CONFIG ]] || die "no registry config at $REGISTRY_CONFIG (is the cluster set up?)"
  exec 8>"$RUN/registry-gc.flock"
  flock -w 300 8 || die "another registry GC is running"
  before=$(registry_storage_bytes) || die "cannot measure the registry's storage ($(registry_storage_desc))"
  stop_component registry >/dev/null
  with_registry_env env -u AWS_CA_BUNDLE docker-registry garbage-collect --delete-untagged "$REGISTRY_CONFIG" >>"$LOGS/registry-gc.log" 2>&1 || rc=$?
  registry_start_bg 8>&-   # the registry must not hold our lock
  local i; for ((i = 0; i < 100; i++)); do registry_ok && break; sleep 0.1; done
  registry_ok || die "the registry did not come back after garbage collection; see $LOGS/registry.log"
  ((rc == 0)) || die "garbage-collect failed (exit $rc); see $LOGS/registry-gc.log"
  after=$(registry_storage_bytes) || die "cannot measure the registry's storage ($(registry_storage_desc))"
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
