// The dashboard's Kubernetes rights (deploy/base/dashboard-roles.yaml): everything in a team namespace
// it made, nothing in kube-system / devbox-system / default beyond its Lease and the agent token.
// Writes are sent with dryRun=All: authorization and admission (the ValidatingAdmissionPolicy) run,
// nothing is stored. Every refusal is paired with the same call allowed where it should be.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthorizationV1Api,
  CoordinationV1Api,
  NetworkingV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
  type V1Pod,
  type V1RoleBinding,
} from "@kubernetes/client-node";
import type { Database } from "@/db/client";
import { testBackends } from "@/db/test-backends";
import type { Team } from "@/db/schema/teams";
import { randomSuffix } from "@/lib/ids";
import { k8sStatusCode } from "@/lib/k8s/errors";
import { TEAM_EGRESS_POLICY, TEAM_INGRESS_POLICY } from "@/lib/k8s/team-network-policy";
import { TEAM_CLUSTER_ROLE, TEAM_ROLE_BINDING } from "@/lib/k8s/team-rbac";
import { refreshTeamNamespaces } from "@/lib/teams/refresh-namespaces";
import { listTeamsForUser } from "@/lib/teams/queries";
import { registerUser } from "@/lib/users/register";
import { ADMIN_KUBECONFIG, STATE_DIR } from "./cluster-helpers";

const dash = new KubeConfig();
dash.loadFromFile(`${STATE_DIR}/kubeconfig/dashboard.kubeconfig`);
const admin = new KubeConfig();
admin.loadFromFile(ADMIN_KUBECONFIG);
const core = dash.makeApiClient(CoreV1Api);
const rbac = dash.makeApiClient(RbacAuthorizationV1Api);
const authz = dash.makeApiClient(AuthorizationV1Api);
const DRY = "All";
const SYSTEM = ["kube-system", "devbox-system", "default"];

async function status(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (err) {
    const code = k8sStatusCode(err);
    if (code === undefined) throw err;
    return code;
  }
}

/** `resource` may name its group: "apps/deployments". */
async function can(verb: string, resource: string, namespace?: string, subresource?: string, name?: string): Promise<boolean> {
  const [group, res] = resource.includes("/") ? resource.split("/") : ["", resource];
  const r = await authz.createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: { verb, group, resource: res, namespace, subresource, name } } },
  });
  return r.status?.allowed === true;
}

const pod = (name: string): V1Pod => ({
  metadata: { name },
  spec: { containers: [{ name: "c", image: "127.0.0.1:5000/devbox/pause:3.10" }], automountServiceAccountToken: false },
});

const binding = (role: string, user = "devbox:dashboard", kind = "ClusterRole"): V1RoleBinding => ({
  metadata: { name: `rbac-it-${randomSuffix()}` },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind, name: role },
  subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
});

describe("the dashboard's Kubernetes rights", () => {
  let db: Database;
  let close: () => Promise<void>;
  let team: Team;

  beforeAll(async () => {
    ({ db, close } = await testBackends()[0].open());
    const user = await registerUser(db, { email: `rbac-${randomSuffix()}@example.com`, password: "correct horse 7" });
    [team] = await listTeamsForUser(db, user.id);
  });
  afterAll(async () => {
    if (team) await admin.makeApiClient(CoreV1Api).deleteNamespace({ name: team.namespace }).catch(() => {});
    await close?.();
  });

  it("a team namespace gets the RoleBinding; there the dashboard creates Pods and execs", async () => {
    const rb = await admin.makeApiClient(RbacAuthorizationV1Api).readNamespacedRoleBinding({ name: TEAM_ROLE_BINDING, namespace: team.namespace });
    expect(rb.roleRef.name).toBe(TEAM_CLUSTER_ROLE);
    expect(await status(() => core.createNamespacedPod({ namespace: team.namespace, body: pod("ok"), dryRun: DRY }))).toBe(200);
    expect(await can("create", "pods", team.namespace, "exec")).toBe(true);
    expect(await can("get", "pods", team.namespace, "exec")).toBe(true);
    expect(await status(() => core.createNamespacedSecret({ namespace: team.namespace, body: { metadata: { name: "s" } }, dryRun: DRY }))).toBe(200);
  });

  it("no Pods, exec, Secrets or Services in kube-system, devbox-system, default", async () => {
    for (const ns of SYSTEM) {
      expect(await status(() => core.createNamespacedPod({ namespace: ns, body: pod("no"), dryRun: DRY })), ns).toBe(403);
      expect(await can("create", "pods", ns, "exec"), ns).toBe(false);
      expect(await can("list", "secrets", ns), ns).toBe(false);
      expect(await status(() => core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: "s" } }, dryRun: DRY })), ns).toBe(403);
      expect(await can("create", "services", ns), ns).toBe(false);
      expect(await can("delete", "pods", ns), ns).toBe(false);
    }
    expect(await can("list", "secrets")).toBe(false); // nor cluster-wide
  });

  it("in devbox-system: its Lease and the agent token, nothing else", async () => {
    for (const verb of ["get", "create", "update"]) expect(await can(verb, "coordination.k8s.io/leases", "devbox-system"), verb).toBe(true);
    expect(await can("delete", "coordination.k8s.io/leases", "devbox-system")).toBe(false);
    expect(await can("get", "coordination.k8s.io/leases", "kube-system")).toBe(false);
    expect(await can("get", "secrets", "devbox-system", undefined, "devbox-agent-token")).toBe(true);
    expect(await can("get", "secrets", "devbox-system", undefined, "another-secret")).toBe(false);
    const coord = dash.makeApiClient(CoordinationV1Api);
    expect(await status(() => coord.createNamespacedLease({ namespace: "devbox-system", body: { metadata: { name: `rbac-it-${randomSuffix()}` } }, dryRun: DRY }))).toBe(200);
  });

  it("binds its team role only to itself and only in team namespaces", async () => {
    expect(await status(() => rbac.createNamespacedRoleBinding({ namespace: team.namespace, body: binding(TEAM_CLUSTER_ROLE), dryRun: DRY }))).toBe(200);
    for (const ns of SYSTEM)
      expect(await status(() => rbac.createNamespacedRoleBinding({ namespace: ns, body: binding(TEAM_CLUSTER_ROLE), dryRun: DRY })), ns).toBe(403);
    // not to another user, not another role (cluster-admin: no bind right → escalation refused)
    expect(await status(() => rbac.createNamespacedRoleBinding({ namespace: team.namespace, body: binding(TEAM_CLUSTER_ROLE, "mallory"), dryRun: DRY }))).toBe(403);
    expect(await status(() => rbac.createNamespacedRoleBinding({ namespace: team.namespace, body: binding("cluster-admin"), dryRun: DRY }))).toBe(403);
    expect(await can("create", "rbac.authorization.k8s.io/clusterrolebindings")).toBe(false);
    expect(await can("create", "rbac.authorization.k8s.io/roles", team.namespace)).toBe(false);
  });

  it("deletes only team namespaces; a team namespace it makes enforces Pod Security baseline", async () => {
    expect(await status(() => core.deleteNamespace({ name: team.namespace, dryRun: DRY }))).toBe(200);
    for (const ns of ["devbox-system", "default"]) expect(await status(() => core.deleteNamespace({ name: ns, dryRun: DRY })), ns).toBe(403);
    const labels = { "devbox.dev/team": "x" };
    expect(await status(() => core.createNamespace({ body: { metadata: { name: `devbox-rbac-${randomSuffix()}`, labels } }, dryRun: DRY }))).toBe(403);
    expect(
      await status(() =>
        core.createNamespace({
          body: { metadata: { name: `devbox-rbac-${randomSuffix()}`, labels: { ...labels, "pod-security.kubernetes.io/enforce": "baseline" } } },
          dryRun: DRY,
        }),
      ),
    ).toBe(200);
    expect(await can("update", "namespaces")).toBe(false); // so it cannot label kube-system as a team
    expect(await can("patch", "namespaces")).toBe(false);
  });

  it("usage: the Metrics API's Pod figures in a team namespace, nowhere else", async () => {
    expect(await can("list", "metrics.k8s.io/pods", team.namespace)).toBe(true);
    for (const ns of SYSTEM) expect(await can("list", "metrics.k8s.io/pods", ns), ns).toBe(false);
    expect(await can("get", "metrics.k8s.io/pods", team.namespace, undefined, "any")).toBe(false); // list is all the sampler does
    // and the call itself, as the dashboard: the aggregated API authorizes it (an empty list here)
    const list = await status(() => dash.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: "metrics.k8s.io", version: "v1beta1", namespace: team.namespace, plural: "pods" }));
    expect(list).toBe(200);
    expect(await status(() => dash.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: "metrics.k8s.io", version: "v1beta1", namespace: "kube-system", plural: "pods" }))).toBe(403);
  });

  it("apps: Deployments and Pod logs in a team namespace, nowhere else; Deployments watched read-only cluster-wide", async () => {
    for (const verb of ["get", "create", "update", "delete"]) expect(await can(verb, "apps/deployments", team.namespace), verb).toBe(true);
    expect(await can("get", "pods", team.namespace, "log")).toBe(true);
    for (const ns of SYSTEM) {
      expect(await can("create", "apps/deployments", ns), ns).toBe(false);
      expect(await can("update", "apps/deployments", ns), ns).toBe(false);
      expect(await can("get", "pods", ns, "log"), ns).toBe(false);
    }
    expect(await can("list", "apps/deployments")).toBe(true);
    expect(await can("watch", "apps/deployments")).toBe(true);
    for (const verb of ["create", "update", "delete", "patch"]) expect(await can(verb, "apps/deployments"), verb).toBe(false);
    expect(await can("patch", "apps/deployments", team.namespace)).toBe(false);
  });

  it("cluster-wide: reads devbox Pods and nodes, writes nothing else", async () => {
    expect(await can("list", "pods")).toBe(true);
    expect(await can("watch", "pods")).toBe(true);
    expect(await can("list", "nodes")).toBe(true);
    // usage charts: the kubelet's stats (disk, network), and not the node proxy (that would open exec into any Pod)
    expect(await can("get", "nodes", undefined, "stats")).toBe(true);
    // CPU and memory through the Metrics API: in team namespaces only (the test above), not cluster-wide
    expect(await can("list", "metrics.k8s.io/pods")).toBe(false);
    expect(await can("list", "metrics.k8s.io/nodes")).toBe(false);
    for (const sub of ["proxy", "log", "metrics"]) expect(await can("get", "nodes", undefined, sub), `nodes/${sub}`).toBe(false);
    expect(await can("create", "nodes", undefined, "proxy")).toBe(false);
    for (const [verb, res] of [["create", "pods"], ["update", "nodes"], ["create", "apps/daemonsets"], ["create", "apps/deployments"], ["create", "networking.k8s.io/networkpolicies"], ["delete", "pods"]])
      expect(await can(verb, res), `${verb} ${res}`).toBe(false);
  });

  it("a team namespace made by an older dashboard gets its RoleBinding and policies at start-up", async () => {
    const adminRbac = admin.makeApiClient(RbacAuthorizationV1Api);
    const adminNet = admin.makeApiClient(NetworkingV1Api);
    await adminRbac.deleteNamespacedRoleBinding({ name: TEAM_ROLE_BINDING, namespace: team.namespace });
    for (const name of [TEAM_INGRESS_POLICY, TEAM_EGRESS_POLICY]) await adminNet.deleteNamespacedNetworkPolicy({ name, namespace: team.namespace });
    expect(await can("create", "pods", team.namespace)).toBe(false);
    const r = await refreshTeamNamespaces(db);
    expect(r.failed).toBe(0);
    expect(r.refreshed).toBeGreaterThanOrEqual(1);
    expect((await adminRbac.readNamespacedRoleBinding({ name: TEAM_ROLE_BINDING, namespace: team.namespace })).roleRef.name).toBe(TEAM_CLUSTER_ROLE);
    const names = (await adminNet.listNamespacedNetworkPolicy({ namespace: team.namespace })).items.map((p) => p.metadata?.name);
    expect(names).toEqual(expect.arrayContaining([TEAM_INGRESS_POLICY, TEAM_EGRESS_POLICY]));
    expect(await can("create", "pods", team.namespace)).toBe(true);
  });
});
