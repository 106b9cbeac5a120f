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
