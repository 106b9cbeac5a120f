import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox, startDevbox, stopDevbox } from "@/lib/devboxes/service";
import { randomSuffix } from "@/lib/ids";
import { AGENT_NAMESPACE } from "@/lib/snapshots/agent-client";
import { containerIdOf, listSnapshots } from "@/lib/snapshots/service";
import { adminCore, crash, eventually, openDevboxWorld, podsFromApi, controlPlanes, waitForState, type DevboxWorld } from "./devbox-harness";
import { sh } from "./snapshot-helpers";

// A commit interrupted by a crash: of the dashboard (control plane SIGKILLed in a child process,
// PostgreSQL shared with this test), and of the node agent (its Pod force-deleted). The commit
// is caught in the act by the container's task being PAUSED (the agent freezes it for the diff).
const run = promisify(execFile);
const SOCK = `${process.env.DEVBOX_CLUSTER_DIR ?? "/var/lib/devbox-cluster"}/containerd/containerd.sock`;
const instance = `snapcrash-${randomSuffix()}`;

async function taskPaused(containerId: string): Promise<boolean> {
  const { stdout } = await run("ctr", ["--address", SOCK, "-n", "k8s.io", "tasks", "ls"]);
  return stdout.split("\n").some((l) => l.startsWith(containerId) && /PAUSED/.test(l));
}

describe("commit interrupted by a crash", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;
  let templateId: string;
  let planes: ReturnType<typeof controlPlanes>;
  const start = () => planes.start();

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "snapcrash", backend: "postgres", reconcile: false });
    ({ db, owner, team, templateId } = world);
    planes = controlPlanes(world, instance);
  });

  afterAll(async () => {
    planes?.crashAll();
    await world?.close();
  });

  /** Writes `mb` MB of random data, stops, waits until the agent has frozen the container; returns the data's md5 and the Pod. */
  async function stopWithBigChange(mb: number) {
    const d = (await findDevbox(db, team.id, "heavy"))!;
    const [pod] = await podsFromApi(team.namespace, d.id);
    const md5 = await sh(team.namespace, pod.metadata!.name!, `head -c ${mb * 1048576} /dev/urandom > ~/big-${mb}; md5sum < ~/big-${mb}`);
    await stopDevbox(db, team, owner.id, "heavy");
    await eventually("the agent to freeze the container for the commit", async () => ((await taskPaused(containerIdOf(pod)!)) ? true : undefined), 60_000);
    return { md5, pod, d };
  }

  async function expectRestored(mb: number, md5: string) {
    await startDevbox(db, team, owner.id, "heavy");
    const { devbox } = await waitForState(db, team, "heavy", "Running", 180_000);
    const [pod] = await podsFromApi(team.namespace, devbox!.id);
    expect(await sh(team.namespace, pod.metadata!.name!, `md5sum < ~/big-${mb}`)).toBe(md5);
  }

  it("dashboard killed mid-commit: the next leader finishes it (same request id), nothing lost, one snapshot", async () => {
    const first = start();
    await createDevbox(db, team, owner.id, { name: "heavy", templateId, cpuMillis: 1000, memoryMiB: 1024, diskMiB: 4096 });
    await waitForState(db, team, "heavy", "Running", 120_000);
    const { md5, pod, d } = await stopWithBigChange(300);
    crash(first);
    // The Pod is still there: it is deleted only after its snapshot is recorded.
    expect((await podsFromApi(team.namespace, d.id)).map((p) => p.metadata?.uid)).toEqual([pod.metadata!.uid]);
    start();
    await waitForState(db, team, "heavy", "Stopped", 180_000);
    const snaps = (await listSnapshots(db, d.id)).filter((s) => s.podUid === pod.metadata!.uid);
    expect(snaps.map((s) => s.trigger)).toEqual(["stop"]);
    expect(snaps[0].bytesAdded).toBeGreaterThan(300 * 1048576 * 0.9);
    await expectRestored(300, md5);
  }, 400_000);

  it("agent killed mid-commit: the container is thawed by the new agent, the commit is retried and completes", async () => {
    const { md5, pod, d } = await stopWithBigChange(200);
    const [agentPod] = (await adminCore.listNamespacedPod({ namespace: AGENT_NAMESPACE, labelSelector: "app.kubernetes.io/name=devbox-agent" })).items;
    await adminCore.deleteNamespacedPod({ name: agentPod.metadata!.name!, namespace: AGENT_NAMESPACE, gracePeriodSeconds: 0 });
    await waitForState(db, team, "heavy", "Stopped", 300_000);
    const snaps = (await listSnapshots(db, d.id)).filter((s) => s.podUid === pod.metadata!.uid);
    expect(snaps).toHaveLength(1);
    await expectRestored(200, md5);
  }, 400_000);
});
