# Preflight: root, Debian packages, free ports, free disk, cgroups.

# binary-or-file -> Debian package providing it
declare -A DEB_PKGS=(
  [containerd]=containerd [ctr]=containerd [runc]=runc
  [/usr/lib/cni/bridge]=containernetworking-plugins
  [docker-registry]=docker-registry [skopeo]=skopeo [openssl]=openssl
  [iptables]=iptables [nft]=nftables [conntrack]=conntrack [socat]=socat [ip]=iproute2 [ss]=iproute2
  [curl]=curl [jq]=jq [gcc]=gcc [/usr/lib/x86_64-linux-gnu/libc.a]=libc6-dev
  [mount]=mount [nsenter]=util-linux [flock]=util-linux [setsid]=util-linux [mountpoint]=util-linux
  [pgrep]=procps [strip]=binutils [gzip]=gzip [tar]=tar [sha256sum]=coreutils
)

require_root() {
  [[ $(id -u) == 0 ]] || die "devbox-cluster $1 must run as root (it starts containerd and kubelet, mounts filesystems and changes iptables); try: sudo $0 $1"
}

ensure_packages() {
  local missing=() k
  for k in "${!DEB_PKGS[@]}"; do
    if [[ $k == /* ]]; then [[ -e $k ]] && continue; else command -v "$k" >/dev/null && continue; fi
    missing+=("${DEB_PKGS[$k]}")
  done
  ((${#missing[@]})) || return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  step "installing Debian packages: ${missing[*]}"
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$LOGS/apt.log" 2>&1 || {
    DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$LOGS/apt.log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$LOGS/apt.log" 2>&1
  } || die "apt-get install ${missing[*]} failed; see $LOGS/apt.log"
}

# port -> component; a port held by a process that is not ours is fatal.
check_ports() {
  local -A ports=(
    [$REGISTRY_PORT]=registry [$ETCD_PORT]=etcd [$ETCD_PEER_PORT]="etcd peer" [$ETCD_METRICS_PORT]="etcd metrics"
    [$APISERVER_PORT]=kube-apiserver [$KCM_PORT]=kube-controller-manager [$SCHEDULER_PORT]=kube-scheduler
    [$KUBELET_PORT]=kubelet [$KUBELET_HEALTHZ_PORT]="kubelet healthz"
  )
  local port line pid i problems=()
  for port in "${!ports[@]}"; do
    line=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -1)
    [[ -n $line ]] || continue
    pid=$(grep -o 'pid=[0-9]*' <<<"$line" | head -1 | cut -d= -f2 || true)
    # A socket without a process: its owner is exiting (e.g. SIGKILLed by a power-loss test a
    # moment ago). Give the kernel a few seconds to close it before calling the port taken.
    for ((i = 0; i < 40; i++)); do
      [[ -n $line && -z $pid ]] || break
      sleep 0.25
      line=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -1)
      pid=$(grep -o 'pid=[0-9]*' <<<"$line" | head -1 | cut -d= -f2 || true)
    done
    [[ -n $line ]] || continue
    if [[ -n $pid ]] && grep -qaF -- "$STATE_DIR/" "/proc/$pid/cmdline" 2>/dev/null; then
      continue   # one of ours, still running from an earlier `up`
    fi
    problems+=("port $port (needed by ${ports[$port]}) is already in use by: $(grep -o 'users:.*' <<<"$line")")
  done
  if ((${#problems[@]})); then
    printf '%serror:%s %s\n' "$C_R" "$C_0" "${problems[@]}" >&2
    die "free the port(s) above or choose others (DEVBOX_APISERVER_PORT, DEVBOX_ETCD_PORT, DEVBOX_REGISTRY_PORT, DEVBOX_KUBELET_PORT, ...; see cluster/README.md)"
  fi
}

check_disk() {
  local d="$STATE_DIR" avail_kb
  while [[ ! -d $d ]]; do d=$(dirname "$d"); done
  avail_kb=$(df -Pk "$d" | awk 'NR==2 {print $4}')
  if ((avail_kb < MIN_FREE_GB * 1024 * 1024)); then
    die "only $((avail_kb / 1024)) MiB free on the filesystem of $d; the cluster needs at least ${MIN_FREE_GB} GiB (images, etcd, containers). Free space or set DEVBOX_CLUSTER_DIR elsewhere (DEVBOX_MIN_FREE_GB to change the limit)"
  fi
}

check_kernel() {
  [[ -d /sys/fs/cgroup ]] || die "/sys/fs/cgroup is missing; kubelet needs cgroups"
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || die "the overlay filesystem is not available (containerd's overlayfs snapshotter needs it)"
  # pod <-> host traffic through the bridge is routed
  sysctl -qw net.ipv4.ip_forward=1 || warn "could not enable net.ipv4.ip_forward"
  # the pod CIDR must not already be routed somewhere else (e.g. podman's cni0)
  local dev
  dev=$(ip -4 route show "$POD_CIDR" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -1)
  if [[ -n $dev && $dev != "$BRIDGE" ]]; then
    die "the pod CIDR $POD_CIDR is already routed via interface $dev; set DEVBOX_POD_CIDR to a free range"
  fi
}

preflight() {
  require_root up
  ensure_dirs
  step "preflight (packages, ports, disk, kernel)"
  ensure_packages
  check_ports
  check_disk
  check_kernel
}
