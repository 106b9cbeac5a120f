#!/usr/bin/env bash
# Renders the node agent's manifests (deploy/agent, the same files the install uses) for one
# cluster: Namespace, ConfigMap devbox-agent-config, Secret devbox-agent-token, DaemonSet.
# Stock node defaults; the bundled cluster (cluster/lib/agent.sh):
#   CONTAINERD_SOCKET=/var/lib/devbox-cluster/containerd/containerd.sock \
#   CONTAINERD_ROOT=/var/lib/devbox-cluster/containerd/root \
#   IMAGE=127.0.0.1:5000/devbox/agent:latest ./render.sh | kubectl apply -f -
# TOKEN defaults to a fresh random token (keep it: the dashboard needs it). Needs kubectl
# (KUBECTL, default kubectl in PATH) for its built-in kustomize.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${NAMESPACE:=devbox-system}"
: "${IMAGE:=127.0.0.1:5000/devbox/agent:latest}"
: "${PORT:=7070}"
: "${ALLOW_FROM:=}"   # extra agent client sources besides loopback and the node IP, comma-separated
: "${REGISTRY:=127.0.0.1:5000}"
: "${CONTAINERD_SOCKET:=/run/containerd/containerd.sock}"
: "${CONTAINERD_ROOT:=/var/lib/containerd}"
: "${TOKEN:=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
: "${KUBECTL:=kubectl}"
sock_dir="$(dirname "$CONTAINERD_SOCKET")"
base="$(cd "$here/../../deploy/agent" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# the socket dir may contain the root (bundled cluster): mount it once
if [[ $CONTAINERD_ROOT == "$sock_dir"/* || $CONTAINERD_ROOT == "$sock_dir" ]]; then
  root_ops='[{"op":"remove","path":"/spec/template/spec/containers/0/volumeMounts/2"},{"op":"remove","path":"/spec/template/spec/volumes/2"}]'
else
  root_ops=$(jq -cn --arg r "$CONTAINERD_ROOT" '[{op:"replace",path:"/spec/template/spec/containers/0/volumeMounts/2/mountPath",value:$r},
    {op:"replace",path:"/spec/template/spec/volumes/2/hostPath/path",value:$r}]')
fi
# indices follow deploy/agent/agent.yaml: args[2] --containerd, mounts/volumes [1] socket dir, [2] root
jq -cn --arg sock "$CONTAINERD_SOCKET" --arg dir "$sock_dir" --argjson port "$PORT" --argjson root "$root_ops" '[
  {op:"replace",path:"/spec/template/spec/containers/0/args/2",value:("--containerd=" + $sock)},
  {op:"replace",path:"/spec/template/spec/containers/0/volumeMounts/1/mountPath",value:$dir},
  {op:"replace",path:"/spec/template/spec/volumes/1/hostPath/path",value:$dir},
  {op:"replace",path:"/spec/template/spec/containers/0/ports/0",value:{name:"api",containerPort:$port,hostPort:$port}}
] + $root' >"$work/daemonset-patch.json"
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n' "$NAMESPACE" >"$work/namespace.yaml"
printf '%s' "$TOKEN" >"$work/token"
cat >"$work/kustomization.yaml" <<YML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: $NAMESPACE
resources:
- namespace.yaml
- $(realpath --relative-to="$work" "$base")
images:
- name: devbox/agent
  newName: ${IMAGE%:*}
  newTag: ${IMAGE##*:}
configMapGenerator:
- name: devbox-agent-config
  options: {disableNameSuffixHash: true}
  literals:
  - DEVBOX_REGISTRY=$REGISTRY
  - DEVBOX_AGENT_PORT=$PORT
  - DEVBOX_AGENT_ALLOW_FROM=$ALLOW_FROM
secretGenerator:
- name: devbox-agent-token
  options: {disableNameSuffixHash: true}
  files: [token]
patches:
- path: daemonset-patch.json
  target: {kind: DaemonSet, name: devbox-agent}
YML
"$KUBECTL" kustomize "$work"
