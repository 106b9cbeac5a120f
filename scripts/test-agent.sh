#!/usr/bin/env bash
# The node agent's Go tests (agent/README.md): vet, unit tests, the integration tests (their
# own throwaway containerd and registry under /var/tmp: needs root, containerd, ctr, runc,
# docker-registry, busybox-static) and the smoke test against the bundled cluster, which must
# be up (its containerd socket, registry and kubectl; a namespace of its own, removed after).
set -euo pipefail
cd "$(dirname "$0")/../agent"
go="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
[ -x "$go" ] || { echo "test-agent.sh: Go not found (set GO=/path/to/go)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "test-agent.sh: /bin/busybox missing: apt-get install busybox-static" >&2; exit 1; }
export GOFLAGS="${GOFLAGS:--mod=mod}"
"$go" vet ./...
DEVBOX_AGENT_IT=1 "$go" test -count=1 ./...
bash test/cluster-smoke.sh
