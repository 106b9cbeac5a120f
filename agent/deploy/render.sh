#!/usr/bin/env bash
# Renders agent.yaml for a cluster. Stock node defaults; the bundled cluster:
#   CONTAINERD_SOCKET=/var/lib/devbox-cluster/containerd/containerd.sock \
#   CONTAINERD_ROOT=/var/lib/devbox-cluster/containerd/root \
#   IMAGE=127.0.0.1:5000/devbox/agent:latest ./render.sh | kubectl apply -f -
# TOKEN defaults to a fresh random token (keep it: the dashboard needs it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${NAMESPACE:=devbox-system}"
: "${IMAGE:=127.0.0.1:5000/devbox/agent:latest}"
: "${PORT:=7070}"
# extra agent client sources besides loopback and the node IP, comma-separated
ALLOW_FROM="${ALLOW_FROM:+,$ALLOW_FROM}"
: "${REGISTRY:=127.0.0.1:5000}"
: "${CONTAINERD_SOCKET:=/run/containerd/containerd.sock}"
: "${CONTAINERD_ROOT:=/var/lib/containerd}"
: "${TOKEN:=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
CONTAINERD_SOCKET_DIR="$(dirname "$CONTAINERD_SOCKET")"
export NAMESPACE IMAGE PORT ALLOW_FROM REGISTRY CONTAINERD_SOCKET CONTAINERD_SOCKET_DIR CONTAINERD_ROOT TOKEN
# the socket dir may contain the root (bundled cluster): mount it once
if [[ "$CONTAINERD_ROOT" == "$CONTAINERD_SOCKET_DIR"/* || "$CONTAINERD_ROOT" == "$CONTAINERD_SOCKET_DIR" ]]; then
  drop_root=1
else
  drop_root=0
fi
perl -pe 's/\$\{(\w+)\}/exists $ENV{$1} ? $ENV{$1} : die "unset $1\n"/ge' "$here/agent.yaml" |
  if [ "$drop_root" = 1 ]; then grep -v '# root-mount'; else cat; fi
