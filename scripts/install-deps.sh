#!/usr/bin/env bash
# Installs what the dashboard and its tests need on a fresh Debian machine: Debian packages
# (only those missing) and the npm dependencies from the lock file. The bundled cluster installs
# its own packages in `npm run cluster -- up`.
set -euo pipefail
cd "$(dirname "$0")/.."

# fonts-noto-color-emoji: the templates' icons are emoji; without it Chromium draws empty boxes in e2e screenshots.
# openssh-client and rsync: test/integration/ssh.test.ts and bench/ssh.ts drive the real clients.
# socat: the throughput benches' reference relay (bench/_socat-relay.ts).
want=(chromium fonts-noto-color-emoji postgresql openssl ca-certificates busybox-static openssh-client rsync socat)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "[deps] missing Debian packages: ${missing[*]} — run as root (or install them) first" >&2
    exit 1
  fi
  echo "[deps] apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm ci only when the lock changed since the last install: it wipes node_modules.
stamp=node_modules/.devbox-lock-hash
hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  echo "[deps] npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$hash" >"$stamp"
fi
