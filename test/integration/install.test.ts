// The install (deploy/) into the bundled cluster, as a user would apply it on their own cluster:
// images built here and pushed, `kubectl apply -k`, the dashboard in a Pod (service account,
// in-cluster config) reached through its Service, the e2e journey against it (sign up, create,
// terminal, stop, start, data kept), then `kubectl delete -k` leaves nothing behind.
// Needs: cluster up, Pods reaching the apiserver, `npm run build` (the image carries .next).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { adminConfig, waitFor } from "./cluster-helpers";
import {
  applyInstall,
  buildInstallImages,
  dashboardLogs,
  type Install,
  kubectl,
  leftovers,
  runJourney,
  seedRuntimeImages,
  uninstall,
  waitForDashboard,
  writeInstallOverlay,
} from "../support/install";

describe("install with kubectl apply -k (deploy/)", () => {
  let inst: Install | undefined;
  let uninstalled = false;
  const kc = adminConfig();

  beforeAll(async () => {
    const images = await buildInstallImages();
    inst = await writeInstallOverlay(images);
    await applyInstall(inst);
    await seedRuntimeImages(inst);
  }, 1_500_000);

  afterAll(async () => {
    if (inst && !uninstalled) await uninstall(inst).catch((err) => console.error("uninstall after a failure:", err));
  }, 600_000);

  it("runs the dashboard in a Pod with its ServiceAccount and answers through its Service", async () => {
    const i = inst!;
    await waitForDashboard(i).catch(async (err) => {
      throw new Error(`${err}\n--- dashboard log ---\n${await dashboardLogs(i)}`);
    });
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: i.namespace, labelSelector: "app.kubernetes.io/name=devbox-dashboard" });
    expect(pods.items.map((p) => [p.spec?.serviceAccountName, p.status?.phase])).toEqual([["devbox-dashboard", "Running"]]);
    // the reconciler took its own Lease with the in-cluster identity
    const lease = await waitFor("the reconciler Lease", 60_000, async () => {
      const out = await kubectl("-n", i.namespace, "get", "lease", `devbox-reconciler-install-${i.suffix}`, "-o", "jsonpath={.spec.holderIdentity}", "--ignore-not-found");
      return out.trim() || undefined;
    });
    expect(lease).toMatch(/^devbox-dashboard-/);
    // the node agent and the registry forwarder run on the node
    const apps = kc.makeApiClient(AppsV1Api);
    for (const name of ["devbox-agent", "devbox-registry-proxy"]) {
      const ds = await waitFor(`DaemonSet ${name} ready`, 120_000, async () => {
        const d = await apps.readNamespacedDaemonSet({ name, namespace: i.namespace });
        return (d.status?.numberReady ?? 0) >= 1 ? d : undefined;
      });
      expect(ds.status?.numberReady).toBe(ds.status?.desiredNumberScheduled);
    }
  }, 700_000);

  it("runs the e2e journey against the in-cluster dashboard: sign up, create, terminal, stop, start, data kept", async () => {
    const i = inst!;
    const { code, output } = await runJourney(i);
    if (code !== 0) throw new Error(`journey failed (exit ${code}):\n${output.slice(-6000)}\n--- dashboard log ---\n${await dashboardLogs(i)}`);
    expect(output).toMatch(/1 passed/);
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
