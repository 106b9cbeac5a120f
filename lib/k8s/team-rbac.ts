import { AuthenticationV1Api, RbacAuthorizationV1Api, type V1RoleBinding } from "@kubernetes/client-node";
import { kubeConfig } from "./config";
import { isAlreadyExists, k8sMessage, k8sStatusCode } from "./errors";
import { MANAGED_BY } from "./labels";

/**
 * Bound in each team namespace; the dashboard has no such rights anywhere else
 * (deploy/base/dashboard-roles.yaml). An install with renamed cluster objects (a second install in
 * one cluster, deploy/README.md) names its own.
 */
export const TEAM_CLUSTER_ROLE = process.env.DEVBOX_TEAM_CLUSTER_ROLE || "devbox:dashboard-team";
export const TEAM_ROLE_BINDING = "devbox-dashboard";

let self: Promise<string> | undefined;

/** The dashboard's own user name as the apiserver sees it (a client cert's CN, a ServiceAccount, …). */
export function dashboardUsername(): Promise<string> {
  self ??= kubeConfig()
    .makeApiClient(AuthenticationV1Api)
    .createSelfSubjectReview({ body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" } })
    .then((r) => {
      const name = r.status?.userInfo?.username;
      if (!name) throw new Error("the apiserver did not say who the dashboard is (SelfSubjectReview)");
      return name;
    })
    .catch((err: unknown) => {
      self = undefined;
      throw err;
    });
  return self;
}

/**
 * Gives the dashboard its rights in a team namespace. A ValidatingAdmissionPolicy only lets it bind
 * this role, to itself, in namespaces labelled as teams; so kube-system stays out of reach.
 */
export async function ensureTeamRoleBinding(namespace: string): Promise<void> {
  const rbac = kubeConfig().makeApiClient(RbacAuthorizationV1Api);
  const body: V1RoleBinding = {
    metadata: { name: TEAM_ROLE_BINDING, labels: { ...MANAGED_BY } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: TEAM_CLUSTER_ROLE },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: await dashboardUsername() }],
  };
  try {
    await rbac.createNamespacedRoleBinding({ namespace, body });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/**
 * A fresh RoleBinding reaches the apiserver's authorizer through its watch: the first calls after it
 * may still be refused (403) for a few milliseconds. Retries only that.
 */
export async function whileRbacPropagates<T>(work: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (err) {
      // RBAC's refusal, not a quota's (also 403)
      if (k8sStatusCode(err) !== 403 || !/ cannot /.test(k8sMessage(err)) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
