#!/usr/bin/env bash
# Builds the static devbox-agent binary into
# ${DEVBOX_CACHE_DIR:-$HOME/.cache/devbox}/bin/devbox-agent, skipping the build
# when the sources (and Go version) are unchanged. Prints the binary's path.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${DEVBOX_CACHE_DIR:-$HOME/.cache/devbox}"
out="$cache/bin/devbox-agent"
go="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
[ -x "$go" ] || { echo "build.sh: Go not found (set GO=/path/to/go)" >&2; exit 1; }
hash="$(cd "$here" && { "$go" version; find . -name '*.go' -not -path './deploy/*' -print0 | sort -z | xargs -0 sha256sum; sha256sum go.mod go.sum; } | sha256sum | cut -c1-16)"
if [ -x "$out" ] && [ "$(cat "$out.hash" 2>/dev/null)" = "$hash" ]; then
  echo "$out"; exit 0
fi
mkdir -p "$cache/bin"
( cd "$here" && CGO_ENABLED=0 GOFLAGS=-mod=mod "$go" build -trimpath -ldflags "-s -w" -o "$out.tmp" ./cmd/devbox-agent )
mv "$out.tmp" "$out"
echo "$hash" > "$out.hash"
echo "$out"
