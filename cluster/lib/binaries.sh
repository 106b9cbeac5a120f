# Kubernetes + etcd binaries: from KUBE_BIN_DIR, or built from cluster/go.mod
# into $CACHE_DIR/bin/<k8s-version>/ (outside the repo, so fresh clones reuse it).

BINARIES="etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl devbox-cri"

declare -A BIN_PKG=(
  [etcd]=./cmd/etcd [devbox-cri]=./cmd/devbox-cri
  [kube-apiserver]=k8s.io/kubernetes/cmd/kube-apiserver
  [kube-controller-manager]=k8s.io/kubernetes/cmd/kube-controller-manager
  [kube-scheduler]=k8s.io/kubernetes/cmd/kube-scheduler
  [kubelet]=k8s.io/kubernetes/cmd/kubelet
  [kubectl]=k8s.io/kubernetes/cmd/kubectl
)

go_bin() {
  local g
  for g in "${GO:-}" "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go; do
    [[ -n $g && -x $g ]] && { echo "$g"; return; }
  done
  die "Go is needed to build Kubernetes (set GO=/path/to/go, or KUBE_BIN_DIR to prebuilt binaries)"
}

# Bump when the go build flags below change.
BUILD_FLAGS_REV=1

# Recipe hash: a change to the module, our commands or the build flags rebuilds everything.
# What a binary built from its own Go module under cluster/<dir>/ depends on: go.mod, go.sum, any
# extra source files there, and what else its caller names (version, build flags).
module_recipe_hash() { # dir extra [file ...]
  local dir=$1 extra=$2; shift 2
  { cat "$CLUSTER_SRC/$dir/go.mod" "$CLUSTER_SRC/$dir/go.sum" "${@/#/$CLUSTER_SRC/$dir/}"; echo "$extra"; } | sha256sum | cut -c1-16
}

# Builds <package> of the module in cluster/<dir>/ into <bin dir>/<name>, unless the binary there
# was built from the same recipe (its .recipe file holds the hash).
build_module_binary() { # name dir bin_dir hash ldflags package what
  local name=$1 dir=$2 bin_dir=$3 hash=$4 ldflags=$5 pkg=$6 what=$7
  if [[ -x $bin_dir/$name && $(cat "$bin_dir/.recipe" 2>/dev/null) == "$hash" ]]; then return; fi
  local go; go=$(go_bin)
  mkdir -p "$bin_dir" "$CACHE_DIR/logs"
  step "building $what into $bin_dir"
  local log="$CACHE_DIR/logs/build-$name.log"
  (cd "$CLUSTER_SRC/$dir" && CGO_ENABLED=0 "$go" build -trimpath -ldflags "$ldflags" -o "$bin_dir/$name.tmp" "$pkg") >"$log" 2>&1 ||
    { tail -n 20 "$log" >&2; die "building $what failed; full log: $log"; }
  mv "$bin_dir/$name.tmp" "$bin_dir/$name"
  echo "$hash" >"$bin_dir/.recipe"
}

bin_recipe_hash() {
  { cat "$CLUSTER_SRC/go.mod" "$CLUSTER_SRC/go.sum" "$CLUSTER_SRC"/cmd/*/*.go; echo "$BUILD_FLAGS_REV $BINARIES"; } | sha256sum | cut -c1-16
}

# -ldflags of every Kubernetes binary: stripped, version-stamped like a release build.
k8s_ldflags() {
  local date p ldflags="-s -w"
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=$date -X $p.gitCommit=devbox-module-build"
  done
  echo "$ldflags"
}

ensure_binaries() {
  if [[ -n ${KUBE_BIN_DIR:-} ]]; then
    BIN_DIR="$KUBE_BIN_DIR"
    local b
    for b in $BINARIES; do
      [[ -x $BIN_DIR/$b ]] || die "KUBE_BIN_DIR=$BIN_DIR has no executable $b (needs: $BINARIES)"
    done
    step "using binaries from KUBE_BIN_DIR=$BIN_DIR"
    return
  fi
  BIN_DIR="$CACHE_DIR/bin/$K8S_VERSION"
  local hash todo=() b
  hash=$(bin_recipe_hash)
  if [[ $(cat "$BIN_DIR/.recipe" 2>/dev/null) != "$hash" ]]; then
    todo=($BINARIES)
  else
    for b in $BINARIES; do [[ -x $BIN_DIR/$b ]] || todo+=("$b"); done
  fi
  if ((${#todo[@]} == 0)); then
    step "Kubernetes $K8S_VERSION binaries cached in $BIN_DIR"
    return
  fi
  local go; go=$(go_bin)
  mkdir -p "$BIN_DIR" "$CACHE_DIR/logs"
  rm -f "$BIN_DIR/.recipe"
  step "building ${todo[*]} ($K8S_VERSION, etcd $ETCD_VERSION) into $BIN_DIR"
  info "a cold build takes 20-40 min on 2 cores; the Go build cache makes rebuilds fast"
  local ldflags i=0
  ldflags="$(k8s_ldflags) -X go.etcd.io/etcd/api/v3/version.GitSHA=module-$ETCD_VERSION"
  for b in "${todo[@]}"; do
    i=$((i + 1))
    local log="$CACHE_DIR/logs/build-$b.log" start=$SECONDS
    (cd "$CLUSTER_SRC" && CGO_ENABLED=0 "$go" build -trimpath -ldflags "$ldflags" -o "$BIN_DIR/$b.tmp" "${BIN_PKG[$b]}") >"$log" 2>&1 &
    local gpid=$!
    local tick=0
    while kill -0 "$gpid" 2>/dev/null; do
      # a live counter on a terminal; a line every 30 s in logs (CI)
      if [[ -t 1 ]]; then
        printf '\r    [%d/%d] %-24s %4ds' "$i" "${#todo[@]}" "$b" "$((SECONDS - start))"
      elif ((tick % 15 == 0)); then
        printf '    [%d/%d] %-24s %4ds\n' "$i" "${#todo[@]}" "$b" "$((SECONDS - start))"
      fi
      tick=$((tick + 1))
      sleep 2
    done
    if ! wait "$gpid"; then
      printf '\n'
      tail -n 20 "$log" >&2
      die "building $b failed; full log: $log"
    fi
    mv "$BIN_DIR/$b.tmp" "$BIN_DIR/$b"
    printf '%s    [%d/%d] %-24s %4ds  done\n' "$([[ -t 1 ]] && printf '\r')" "$i" "${#todo[@]}" "$b" "$((SECONDS - start))"
  done
  echo "$hash" >"$BIN_DIR/.recipe"
  info "$("$BIN_DIR/kubelet" --version)"
}
