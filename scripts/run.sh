#!/usr/bin/env bash
# Sets up and runs the product: installs what is missing, brings up the bundled single-node
# cluster (unless KUBECONFIG points at another cluster), builds the dashboard and serves it on
# http://localhost:${PORT:-3000}. The DB migrates itself at start.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

bash scripts/install-deps.sh
if [ -z "${KUBECONFIG:-}" ]; then
  bash cluster/devbox-cluster up
else
  echo "[run] using the cluster in KUBECONFIG=$KUBECONFIG"
fi
echo "[run] building the dashboard…"
npm run build >/dev/null
port=${PORT:-3000}
cat <<MSG

  Devbox is starting on http://localhost:$port
  Open it and create an account: the first account becomes the instance administrator.
  (Or set DEVBOX_ADMIN_EMAIL and DEVBOX_ADMIN_PASSWORD before the first start.)

MSG
exec npm start
