# Runtime recipe: devbox/python — Python 3 with pip and venv from Debian bookworm.
# Sourced by build.sh (bash). See ../README.md, "Adding a runtime".
TITLE="Devbox Python runtime (Debian bookworm python3 + pip + venv)"
PARENT=base
PACKAGES="python3 python3-pip python3-venv python-is-python3"
SETUP=''
CHECK='python3 --version && pip3 --version && python3 -m venv /tmp/venv-check && rm -rf /tmp/venv-check'
