# RBAC for the apiserver's kubelet client and the dashboard identity.
apply_rbac() {
  step "RBAC (kubelet-api-admin for the apiserver, devbox:dashboard role)"
  kubectl_admin apply -f "$CLUSTER_SRC/manifests/rbac.yaml" >>"$LOGS/kubectl.log" 2>&1 ||
    die "applying cluster/manifests/rbac.yaml failed; see $LOGS/kubectl.log"
}
