#!/bin/bash
# Runs as root INSIDE the base rootfs (chroot) after base/packages.txt is installed.
# Part of the base recipe hash: editing it rebuilds base and every runtime.
set -euo pipefail

# --- locale: en_US.UTF-8 (LANG is also set in the image config env) ---
sed -i 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' /etc/locale.gen
grep -q '^en_US.UTF-8 UTF-8' /etc/locale.gen || echo 'en_US.UTF-8 UTF-8' >> /etc/locale.gen
locale-gen
update-locale LANG=en_US.UTF-8

# --- the devbox user: uid/gid 1000, passwordless sudo, home /home/devbox ---
groupadd --gid 1000 devbox
useradd --uid 1000 --gid 1000 --create-home --home-dir /home/devbox \
        --shell /bin/bash --groups sudo devbox
# '*' = no password login but NOT locked ('!'), so sshd accepts public keys for it.
usermod -p '*' devbox
cat > /etc/sudoers.d/devbox <<'SUDO'
devbox ALL=(ALL:ALL) NOPASSWD: ALL
SUDO
chmod 0440 /etc/sudoers.d/devbox
visudo -cf /etc/sudoers.d/devbox >/dev/null
install -d -o 1000 -g 1000 -m 0755 /home/devbox/project /home/devbox/.ssh
chmod 0700 /home/devbox/.ssh
chown -R 1000:1000 /home/devbox

# --- sshd: no baked host keys (each devbox gets its own from a Secret) ---
rm -f /etc/ssh/ssh_host_*
install -d -m 0755 /run/sshd
cat > /etc/ssh/sshd_config.d/devbox.conf <<'SSHD'
# Devbox defaults: key-only login; host keys are mounted per devbox.
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
SSHD

# --- misc defaults for an interactive dev box ---
echo 'devbox' > /etc/hostname
ln -sf /usr/share/zoneinfo/Etc/UTC /etc/localtime
echo 'Etc/UTC' > /etc/timezone
# Keep later `apt install`s small too (runtime images and users' own installs).
cat > /etc/dpkg/dpkg.cfg.d/devbox-slim <<'DPKG'
# Devbox images: no man pages, info or docs (copyright files kept).
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-include /usr/share/locale/en/*
path-include /usr/share/locale/en_*/*
DPKG
cat > /etc/apt/apt.conf.d/90devbox <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
APT
# Drop what the dpkg excludes would have excluded (packages from debootstrap).
find /usr/share/doc -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
find /usr/share/doc -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf /usr/share/man/* /usr/share/info/* /usr/share/lintian/*
