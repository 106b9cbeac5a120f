#!/usr/bin/env bash
# Sets up everything and runs every test suite: unit, DB (PGlite and PostgreSQL), integration
# against the bundled Kubernetes cluster, and end-to-end in Debian's Chromium against a
# production build, then a short randomized crash soak. Needs root (the cluster does). Exits
# non-zero if any suite fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Installing dependencies"
bash scripts/install-deps.sh

step "Starting PostgreSQL"
TEST_DATABASE_URL=$(bash scripts/postgres.sh)
export TEST_DATABASE_URL

step "Bringing up the bundled Kubernetes cluster"
# The suites test the bundled cluster itself: they always use it, with the dashboard's own
# identity (dashboard.kubeconfig) for product code and the admin kubeconfig for checks.
unset KUBECONFIG
bash cluster/devbox-cluster up

# Every team namespace a test dashboard creates carries this label. A run that was killed, or a
# test that failed before its cleanup, leaves namespaces (and devbox Pods) that no DB knows any
# more: they are removed here, before they slow this run down. Namespaces of real installs never
# carry the label.
export DEVBOX_NAMESPACE_LABELS="devbox.dev/test-run=true"
admin_kubectl() { (eval "$(bash cluster/devbox-cluster env)" && kubectl "$@"); }
leftovers=$(admin_kubectl get namespaces -l devbox.dev/test-run=true -o name | wc -l)
if [ "$leftovers" -gt 0 ]; then
  echo "removing $leftovers namespaces left by earlier test runs"
  admin_kubectl delete namespaces -l devbox.dev/test-run=true --wait=false >/dev/null
fi

step "Unit tests"
npx vitest run --project unit

step "Node agent tests (Go: unit, integration against its own containerd, bundled-cluster smoke)"
bash scripts/test-agent.sh

step "DB tests (PGlite and PostgreSQL)"
REQUIRE_POSTGRES_TESTS=1 npx vitest run --project db

# Before the integration tests: the crash tests run the real server (server.ts) as a child.
step "Production build"
npm run build

step "Integration tests (real cluster)"
npx vitest run --project integration

step "End-to-end tests (Chromium)"
npx playwright test

step "Never lose work: randomized crash soak (dashboard and node agent SIGKILLed at random)"
# A short run; `npm run chaos -- --cycles 200 --seed S` is the long one (README).
npm run chaos -- --cycles 20 --seed "${DEVBOX_CHAOS_SEED:-20261203}"

# Passed: the namespaces this run made are not needed for a post-mortem.
admin_kubectl delete namespaces -l devbox.dev/test-run=true --wait=false >/dev/null || true
step "All suites passed"
