# Runtime recipe: devbox/go — the Go toolchain from Debian bookworm (golang-go).
# Sourced by build.sh (bash). See ../README.md, "Adding a runtime".
TITLE="Devbox Go runtime (Debian bookworm golang-go)"
PARENT=base
PACKAGES="golang-go gcc libc6-dev make"
SETUP=''
# Extra image config env (NAME=value, space separated); PATH stays the base's.
ENV='PATH=/home/devbox/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
CHECK='go version'
