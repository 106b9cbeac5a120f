#!/bin/bash
# The bundled PostgreSQL's start (the StatefulSet's command): a new volume gets a cluster with
# the user "devbox" (password from the Secret devbox-postgres) and its database "devbox"; then the
# server runs in the foreground (tini forwards SIGTERM: a smart shutdown).
set -euo pipefail
DATA=/var/lib/postgresql/data/pgdata
if [[ ! -s $DATA/PG_VERSION ]]; then
  [[ -n ${POSTGRES_PASSWORD:-} ]] || { echo "no password: create the Secret devbox-postgres (key password)" >&2; exit 1; }
  rm -rf "$DATA.init" && mkdir -p "$DATA.init"
  pw=$(mktemp) && printf '%s' "$POSTGRES_PASSWORD" >"$pw"
  initdb -D "$DATA.init" -U devbox --pwfile="$pw" -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pw"
  echo "host all all all scram-sha-256" >>"$DATA.init/pg_hba.conf"
  echo "CREATE DATABASE devbox OWNER devbox" | postgres --single -D "$DATA.init" -c unix_socket_directories=/tmp postgres >/dev/null
  mv "$DATA.init" "$DATA"   # only a complete cluster counts as one (a crash above starts over)
fi
exec postgres -D "$DATA" -c listen_addresses='*' -c unix_socket_directories=/tmp
