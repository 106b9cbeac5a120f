# RBAC for the apiserver's kubelet client and the dashboard identity. The dashboard's rights are
# written once, in deploy/base (the install uses the same files); here they are bound to the
# bundled cluster's client-certificate user devbox:dashboard.
apply_rbac() {
  step "RBAC (kubelet-api-admin for the apiserver, devbox:dashboard role)"
  local deploy="$CLUSTER_SRC/../deploy/base"
  {
    kubectl_admin apply -f "$deploy/dashboard-roles.yaml" &&
      kubectl_admin apply -f "$CLUSTER_SRC/manifests/rbac.yaml" &&
      kubectl_admin apply -n devbox-system -f "$deploy/dashboard-system-role.yaml"
  } >>"$LOGS/kubectl.log" 2>&1 ||
    die "applying the dashboard's RBAC (deploy/base/dashboard-roles.yaml, cluster/manifests/rbac.yaml) failed; see $LOGS/kubectl.log"
}
