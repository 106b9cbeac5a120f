// The install (deploy/) into the bundled cluster with two nodes, as a user would apply it on their
// own cluster: images built here and pushed, `kubectl apply -k`, the agent and registry-forwarder
// DaemonSets on both nodes, the dashboard in a Pod on node 1 (service account, in-cluster config)
// reached through its Service, the e2e journey against it (sign up, create, terminal, stop, start,
// data kept) with the devbox on node 2 (pulled through node 2's forwarder, committed by node 2's
// agent, which the dashboard reaches across the nodes), then `kubectl delete -k` leaves nothing
// behind and node 2 is removed again.
// Needs: cluster up, Pods reaching the apiserver, `npm run build` (the image carries .next), root
// and the shared cluster's exclusive lock (it adds and removes node 2).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { adminConfig, waitFor } from "./cluster-helpers";
import { dashboardLogs, type Install, kubectl, leftovers, runJourney, setUpInstall, uninstall, waitForDashboard } from "../support/install";
import { clusterScript, NODE1, NODE2, noteClusterChange } from "../support/cluster-script";

const note = (what: string) => noteClusterChange("install test (install.test.ts)", what);

describe("install with kubectl apply -k (deploy/)", () => {
  let inst: Install | undefined;
  let uninstalled = false;
  const kc = adminConfig();

  beforeAll(async () => {
    note("up --nodes 2 (adds node 2 to the shared cluster; removed at the end)");
    const up = await clusterScript(["up", "--nodes", "2"]);
    expect(up.code, up.out).toBe(0);
    expect(up.out).toContain(`node ${NODE2} is Ready`);
    inst = await setUpInstall({
      dashboardNodeSelector: { "kubernetes.io/hostname": NODE1 },
      config: { DEVBOX_NODE_SELECTOR: `kubernetes.io/hostname=${NODE2}` },
    });
  }, 1_500_000);

  afterAll(async () => {
    if (inst && !uninstalled) await uninstall(inst).catch((err) => console.error("uninstall after a failure:", err));
    // the install's devboxes are gone with its team namespaces (uninstall): nothing of ours runs there
    const removed = await clusterScript(["node", "remove", "2", "--yes"]);
    note(`node remove 2 (exit ${removed.code})`);
    expect(removed.code, removed.out).toBe(0);
  }, 900_000);

  it("runs the dashboard in a Pod with its ServiceAccount and answers through its Service", async () => {
    const i = inst!;
    await waitForDashboard(i).catch(async (err) => {
      throw new Error(`${err}\n--- dashboard log ---\n${await dashboardLogs(i)}`);
    });
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: i.namespace, labelSelector: "app.kubernetes.io/name=devbox-dashboard" });
    expect(pods.items.map((p) => [p.spec?.serviceAccountName, p.status?.phase, p.spec?.nodeName])).toEqual([["devbox-dashboard", "Running", NODE1]]);
    // the reconciler took its own Lease with the in-cluster identity
    const lease = await waitFor("the reconciler Lease", 60_000, async () => {
      const out = await kubectl("-n", i.namespace, "get", "lease", `devbox-reconciler-install-${i.suffix}`, "-o", "jsonpath={.spec.holderIdentity}", "--ignore-not-found");
      return out.trim() || undefined;
    });
    expect(lease).toMatch(/^devbox-dashboard-/);
    // the node agent and the registry forwarder run and are ready on both nodes
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    for (const name of ["devbox-agent", "devbox-registry-proxy"]) {
      const ds = await waitFor(`DaemonSet ${name} ready on both nodes`, 180_000, async () => {
        const d = await apps.readNamespacedDaemonSet({ name, namespace: i.namespace });
        return (d.status?.numberReady ?? 0) >= 2 ? d : undefined;
      });
      expect([ds.status?.desiredNumberScheduled, ds.status?.numberReady]).toEqual([2, 2]);
      const dsPods = await core.listNamespacedPod({ namespace: i.namespace, labelSelector: `app.kubernetes.io/name=${name}` });
      expect(dsPods.items.filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).map((p) => p.spec?.nodeName).sort()).toEqual([NODE1, NODE2]);
    }
  }, 700_000);

  it("runs the e2e journey against the in-cluster dashboard: sign up, create, terminal, stop, start, data kept", async () => {
    const i = inst!;
    const { code, output } = await runJourney(i);
    if (code !== 0) throw new Error(`journey failed (exit ${code}):\n${output.slice(-6000)}\n--- dashboard log ---\n${await dashboardLogs(i)}`);
    expect(output).toMatch(/1 passed/);
    // the devbox ran on node 2 (DEVBOX_NODE_SELECTOR): its image came through node 2's forwarder
    // and its stop snapshot from node 2's agent, called by the dashboard on node 1
    const core = kc.makeApiClient(CoreV1Api);
    const teams = (await core.listNamespace()).items.map((n) => n.metadata!.name!).filter((n) => n.startsWith(i.teamPrefix));
    const devboxPods = (await Promise.all(teams.map((namespace) => core.listNamespacedPod({ namespace })))).flatMap((l) => l.items);
    expect(devboxPods.map((p) => [p.spec?.nodeName, p.status?.phase])).toEqual([[NODE2, "Running"]]);
    // the devbox ran in a team namespace this install's dashboard made, and its snapshot went to
    // this install's registry
    const catalog = (await (await fetch(`http://${i.registry}/v2/_catalog`)).json()) as { repositories: string[] };
    expect(catalog.repositories.some((r) => r.startsWith(i.teamPrefix))).toBe(true);
  }, 900_000);

  it("kubectl delete -k leaves nothing: namespace, team namespaces, cluster RBAC, policy, volumes, host folders", async () => {
    const i = inst!;
    expect((await leftovers(i)).length).toBeGreaterThan(0); // the check sees what is there
    await uninstall(i);
    uninstalled = true;
    expect(await leftovers(i)).toEqual([]);
  }, 600_000);
});
