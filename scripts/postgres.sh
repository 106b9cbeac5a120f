#!/usr/bin/env bash
# Installs (if missing) and starts Debian's PostgreSQL, and makes a `devbox` role that may create
# databases. Prints the URL to use as DATABASE_URL / TEST_DATABASE_URL.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "[postgres] installing postgresql from Debian…" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start >&2 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 || { echo "[postgres] server did not become ready (see /var/log/postgresql/)" >&2; exit 1; }
su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname='devbox'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"create role devbox login createdb password 'devbox'\""
su postgres -c "psql -qtAc \"select 1 from pg_database where datname='devbox'\"" | grep -q 1 ||
  su postgres -c "createdb -O devbox devbox"
echo "postgres://devbox:devbox@127.0.0.1:5432/devbox"
