# Images in the local registry: the pause image (ours, cluster/images/pause)
# and the runtime images (cluster/images/build.sh, owned by the images work).

ensure_images() {
  step "pause image $PAUSE_IMAGE"
  bash "$CLUSTER_SRC/images/pause/build.sh" "$REGISTRY" 2>&1 | tee -a "$LOGS/images.log" || die "building the pause image failed; see $LOGS/images.log"
  local rt="$CLUSTER_SRC/images/build.sh"
  if [[ ${DEVBOX_SKIP_RUNTIME_IMAGES:-} == 1 ]]; then
    step "runtime images skipped (DEVBOX_SKIP_RUNTIME_IMAGES=1)"
  elif [[ -f $rt ]]; then
    step "runtime images (cluster/images/build.sh; log: $LOGS/images.log)"
    bash "$rt" --registry "$REGISTRY" 2>&1 | tee -a "$LOGS/images.log" ||
      die "building the runtime images failed (cluster/images/build.sh); see $LOGS/images.log"
  else
    warn "cluster/images/build.sh not found; runtime images (devbox/base, node, python) not built"
  fi
}

# push_binary_image binary ref entrypoint: a minimal image, one layer holding a static binary
# (no base: the same umoci/skopeo path as the node agent's image, on an empty image). Skipped
# when the registry already has ref (refs carry the binary's recipe hash).
push_binary_image() {
  local bin="$1" ref="$2" entry="$3" work
  skopeo inspect --tls-verify=false "docker://$ref" >/dev/null 2>&1 && return 0
  info "packaging $ref"
  work=$(mktemp -d)
  local rc=0
  umoci init --layout "$work/oci" &&
    umoci new --image "$work/oci:img" &&
    umoci insert --image "$work/oci:img" "$bin" "$entry" &&
    umoci config --image "$work/oci:img" --config.entrypoint "$entry" --os linux --architecture amd64 &&
    skopeo copy -q --dest-tls-verify=false "oci:$work/oci:img" "docker://$ref" || rc=$?
  rm -rf "$work"
  return $rc
}
