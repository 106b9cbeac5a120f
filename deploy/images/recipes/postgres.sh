# Image recipe: devbox/postgres — the bundled PostgreSQL of deploy/components/postgres, Debian
# bookworm's `postgresql` package on devbox/base. The same format and machinery as the runtime
# images (cluster/images/README.md, "Adding a runtime"), built by deploy/images/build.sh --images
# postgres; not a devbox runtime, so it is not in cluster/images/runtimes/.
TITLE="Devbox bundled PostgreSQL (Debian bookworm postgresql)"
PARENT=base
PACKAGES="postgresql"
# The package's postinst made a cluster "main" (the StatefulSet makes its own on its volume at
# first start: deploy/components/postgres/start.sh); the server binaries go on PATH without the
# major version in their path.
SETUP='
v=$(ls /usr/lib/postgresql | sort -V | tail -1)
pg_dropcluster --stop "$v" main 2>/dev/null || true
rm -rf /var/lib/postgresql/* /etc/postgresql/*/main
for b in initdb postgres pg_ctl; do ln -sf "/usr/lib/postgresql/$v/bin/$b" "/usr/local/bin/$b"; done
'
ENV=''
CHECK='postgres --version'
