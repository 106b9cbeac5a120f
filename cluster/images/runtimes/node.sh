# Runtime recipe: devbox/node — Node.js and npm from Debian bookworm.
# Sourced by build.sh (bash). See ../README.md, "Adding a runtime".
TITLE="Devbox Node.js runtime (Debian bookworm nodejs + npm)"
PARENT=base
PACKAGES="nodejs npm"
# Shell run as root inside the image after PACKAGES are installed (optional).
SETUP=''
# Command run as the devbox user by test.sh to prove the runtime works.
CHECK='node --version && npm --version'
