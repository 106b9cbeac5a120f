import { CoreV1Api, NetworkingV1Api, type V1Namespace } from "@kubernetes/client-node";
import { AppError } from "@/lib/errors";
import { kubeConfig } from "./config";
import { fromK8sError, isAlreadyExists, isNotFound } from "./errors";
import { MANAGED_BY, TEAM_LABEL } from "./labels";
import { extraNamespaceLabels } from "./namespace-labels";
import { teamQuotaDefaults } from "./quota-defaults";
import { applyTeamNetworkPolicies, type EgressDenyInputs } from "./team-network-policy";
import { ensureTeamRoleBinding, whileRbacPropagates } from "./team-rbac";

export const QUOTA_NAME = "devbox-quota";
export const LIMIT_RANGE_NAME = "devbox-limits";
export const DENY_INGRESS_POLICY = "default-deny-ingress";
/** The install (lib/settings/instance.ts ensureInstallId) whose dashboard made the namespace. */
export const INSTALL_ANNOTATION = "devbox.dev/install";

/** Who is asking: this install, and whether a team id is one of its (committed) teams. */
export interface NamespaceOwnerCheck {
  installId: string;
  teamExists(teamId: string): Promise<boolean>;
}

/**
 * Creates the team's namespace with the dashboard's RoleBinding, its quota, limit range and network
 * policies (ingress from its own pods only; egress away from other pods, the node, the apiserver
 * and link-local metadata).
 * Idempotent for the same team; if any piece fails the namespace is removed again, so there is
 * never a half-provisioned namespace.
 */
export async function provisionTeamNamespace(namespace: string, teamId: string, owner: NamespaceOwnerCheck): Promise<void> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const net = kubeConfig().makeApiClient(NetworkingV1Api);
  const body: V1Namespace = {
    metadata: {
      name: namespace,
      labels: {
        ...extraNamespaceLabels(),
        ...MANAGED_BY,
        [TEAM_LABEL]: teamId,
        // Devboxes are dev containers: baseline forbids host access and privilege, which they never need.
        "pod-security.kubernetes.io/enforce": "baseline",
      },
      annotations: { [INSTALL_ANNOTATION]: owner.installId },
    },
  };
  let created = false;
  try {
    await core.createNamespace({ body });
    created = true;
  } catch (err) {
    if (!isAlreadyExists(err)) throw fromK8sError(err, "create the team's namespace");
    const existing = await core.readNamespace({ name: namespace });
    const other = existing.metadata?.labels?.[TEAM_LABEL];
    if (other !== teamId) {
      // Made by this install for a team that never committed (the dashboard died between the
      // namespace and the commit): nobody's. Removed, so the retry converges instead of the name
      // staying blocked for good. Another install's namespace, or a team's, is never touched.
      if (other && existing.metadata?.annotations?.[INSTALL_ANNOTATION] === owner.installId && !(await owner.teamExists(other))) {
        if (!existing.metadata?.deletionTimestamp) await deleteTeamNamespace(namespace);
        throw new AppError("unavailable", "This team name's namespace is left over from a team creation that did not finish; it is being removed. Try again in a minute.", { field: "slug" });
      }
      throw new AppError("conflict", `The namespace "${namespace}" already exists in Kubernetes. Pick another team name.`, {
        field: "slug",
      });
    }
  }
  try {
    // the dashboard's rights in this namespace: everything below needs them
    await ensureTeamRoleBinding(namespace);
    const q = teamQuotaDefaults();
    await whileRbacPropagates(() => core.listNamespacedLimitRange({ namespace, limit: 1 }));
    await createOrReplace(
      () =>
        core.createNamespacedResourceQuota({
          namespace,
          body: { metadata: { name: QUOTA_NAME, labels: { ...MANAGED_BY } }, spec: { hard: q.hard } },
        }),
      () =>
        core.replaceNamespacedResourceQuota({
          name: QUOTA_NAME,
          namespace,
          body: { metadata: { name: QUOTA_NAME, labels: { ...MANAGED_BY } }, spec: { hard: q.hard } },
        }),
    );
    const limitRange = {
      metadata: { name: LIMIT_RANGE_NAME, labels: { ...MANAGED_BY } },
      spec: { limits: [{ type: "Container", _default: q.containerLimit, defaultRequest: q.containerRequest }] },
    };
    await createOrReplace(
      () => core.createNamespacedLimitRange({ namespace, body: limitRange }),
      () => core.replaceNamespacedLimitRange({ name: LIMIT_RANGE_NAME, namespace, body: limitRange }),
    );
    const policy = {
      metadata: { name: DENY_INGRESS_POLICY, labels: { ...MANAGED_BY } },
      spec: { podSelector: {}, policyTypes: ["Ingress"] },
    };
    await createOrReplace(
      () => net.createNamespacedNetworkPolicy({ namespace, body: policy }),
      () => net.replaceNamespacedNetworkPolicy({ name: DENY_INGRESS_POLICY, namespace, body: policy }),
    );
    await applyTeamNetworkPolicies(namespace);
  } catch (err) {
    if (created) await deleteTeamNamespace(namespace).catch(() => {});
    throw err instanceof AppError ? err : fromK8sError(err, "set up the team's namespace");
  }
}

async function createOrReplace(create: () => Promise<unknown>, replace: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    await replace();
  }
}

/** Deletes the namespace (and with it every object of the team). A missing namespace is fine. */
export async function deleteTeamNamespace(namespace: string): Promise<void> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  try {
    await core.deleteNamespace({ name: namespace });
  } catch (err) {
    if (!isNotFound(err)) throw fromK8sError(err, "delete the team's namespace");
  }
}

/**
 * Brings an existing team namespace up to date (RoleBinding, network policies): namespaces made by
 * an older dashboard lack them. A missing namespace is left alone.
 */
export async function refreshTeamNamespace(namespace: string, inputs?: EgressDenyInputs): Promise<void> {
  try {
    await ensureTeamRoleBinding(namespace);
    await whileRbacPropagates(() => applyTeamNetworkPolicies(namespace, inputs));
  } catch (err) {
    if (!isNotFound(err)) throw fromK8sError(err, "update the team's namespace");
  }
}
