# containerd with our own root, state, socket and config (never the host's
# /etc/containerd, /var/lib/containerd or /run/containerd/containerd.sock).
# Note: containerd 1.6 hard-codes the shim sockets' directory /run/containerd/s;
# their names hash our socket path, so they never collide with a host containerd.

ctr_() { ctr --address "$CTRD_SOCK" "$@"; }

write_containerd_config() {
  # Without CAP_SYS_RESOURCE (some VMs/containers) nobody can lower an OOM score,
  # and runc fails every pod sandbox ("failed to update /proc/self/oom_score_adj").
  local restrict_oom=false
  if ! (echo -1 >/proc/self/oom_score_adj) 2>/dev/null; then
    restrict_oom=true
  fi
  mkdir -p "$CTRD_DIR"/{root,state,opt} "$CTRD_DIR/certs.d/$REGISTRY" "$STATE_DIR/runc"
  # The local registry speaks plain HTTP on loopback.
  cat >"$CTRD_DIR/certs.d/$REGISTRY/hosts.toml" <<TOML
server = "http://$REGISTRY"

[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve", "push"]
TOML
  cat >"$CTRD_DIR/config.toml" <<TOML
version = 2
root = "$CTRD_DIR/root"
state = "$CTRD_DIR/state"
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
]

[grpc]
  address = "$CTRD_SOCK"

# unused legacy runtime, but 1.6's tasks service needs it loaded; keep its root ours
[plugins."io.containerd.runtime.v1.linux"]
  runtime_root = "$STATE_DIR/runc-v1"

[plugins."io.containerd.internal.v1.opt"]
  path = "$CTRD_DIR/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # pod network namespaces live under our state dir, so down can find them
  netns_mounts_under_state_dir = true
  enable_selinux = false
  restrict_oom_score_adj = $restrict_oom

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        # kubelet uses the cgroupfs driver too (cgroups v1 here)
        SystemdCgroup = false
        Root = "$STATE_DIR/runc"

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE_DIR/cni/net.d"
    max_conf_num = 1

  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$CTRD_DIR/certs.d"
TOML
}

# healthy = answering and its CRI plugin loaded (a config error only shows there)
# (pid check first: ctr waits 10 s on a stale socket of a killed containerd)
containerd_ok() { pid_of containerd >/dev/null && ctr_ --connect-timeout 2s --timeout 3s plugins ls 2>/dev/null | grep -qE '^io\.containerd\.grpc\.v1 +cri +.* ok *$' && cri_serving; }
# The CRI plugin reports "ok" as soon as it is loaded, but answers "server is not initialized yet"
# until it has restored every container and sandbox it knows (seconds with many of them): a
# kubelet started before that exits at once. So the CRI must answer a real call first.
cri_serving() { [[ -x ${BIN_DIR:-}/devbox-cri ]] || return 0; timeout 10 "$BIN_DIR/devbox-cri" "$CTRD_SOCK" pods >/dev/null 2>&1; }

start_containerd() {
  write_containerd_config
  write_cni_config
  already_running containerd containerd_ok && return
  stop_component containerd >/dev/null
  step "starting containerd ($CTRD_SOCK)"
  start_bg containerd containerd --config "$CTRD_DIR/config.toml"
  wait_for containerd "answering on $CTRD_SOCK" containerd_ok
}
