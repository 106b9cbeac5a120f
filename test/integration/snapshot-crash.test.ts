import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { findDevbox } from "@/lib/devboxes/queries";
import { randomSuffix } from "@/lib/ids";
import { containerIdOf, listSnapshots } from "@/lib/snapshots/service";
import { ApiClient, ApiRequestError, Dashboard } from "@/test/support/dashboard";
import { crashAgent } from "@/test/support/node-agent";
import { admin, eventually, openDevboxWorld, podsFromApi, waitForState, type DevboxWorld } from "./devbox-harness";
import { sh } from "./snapshot-helpers";

// A commit interrupted by a crash of the real dashboard (server.ts, SIGKILL, PostgreSQL shared
// with this test) or of the node agent's process (SIGKILL, kubelet restarts it in place). A stop
// is caught mid-commit by its container having exited (graceful stop) with no snapshot recorded
// yet; an explicit Commit by its task being PAUSED (frozen for a crash-consistent diff).
const run = promisify(execFile);
const SOCK = `${process.env.DEVBOX_CLUSTER_DIR ?? "/var/lib/devbox-cluster"}/containerd/containerd.sock`;

/** The container's task status in containerd; "GONE" once it exited (the CRI plugin deletes an exited task). */
async function taskStatus(containerId: string): Promise<string> {
  const { stdout } = await run("ctr", ["--address", SOCK, "-n", "k8s.io", "tasks", "ls"]);
  return stdout.split("\n").find((l) => l.startsWith(containerId))?.trim().split(/\s+/)[2] ?? "GONE";
}

describe("commit interrupted by a crash", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;
  let dash: Dashboard;
  let api: ApiClient;
  const box = () => `/api/v1/teams/${team.slug}/devboxes/heavy`;

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "snapcrash", backend: "postgres", reconcile: false });
    ({ db, owner, team } = world);
    dash = await Dashboard.create({ databaseUrl: world.url, dataDir: "/tmp/unused", instance: `snapcrash-${randomSuffix()}`, env: { DEVBOX_LEASE_SECONDS: "4" } });
    await dash.start();
    api = new ApiClient(dash.url);
    await api.signIn(owner.email, "correct horse 7");
    await api.request("POST", `/api/v1/teams/${team.slug}/devboxes`, { name: "heavy", templateId: world.templateId, cpuMillis: 1000, memoryMiB: 1024, diskMiB: 4096 });
  });

  afterAll(async () => {
    await dash?.crash();
    await world?.close();
  });

  async function runningWithBigFile(mb: number) {
    // Each case starts from a running devbox, whatever the case before it left.
    await api.request("PUT", `${box()}/state`, { state: "running" });
    await waitForState(db, team, "heavy", "Running", 180_000);
    const d = (await findDevbox(db, team.id, "heavy"))!;
    const [pod] = (await podsFromApi(team.namespace, d.id)).filter((p) => !p.metadata?.deletionTimestamp);
    const md5 = await sh(team.namespace, pod.metadata!.name!, `head -c ${mb * 1048576} /dev/urandom > ~/big-${mb}; md5sum < ~/big-${mb}`);
    return { d, pod, md5 };
  }

  /** Stops through the API and waits until the stop's commit is under way: processes gone, nothing recorded. */
  async function stopUntilMidCommit(podUid: string, containerId: string) {
    await api.request("PUT", `${box()}/state`, { state: "stopped" });
    const d = (await findDevbox(db, team.id, "heavy"))!;
    // A tight loop, not `eventually`: the window (compress + upload of a few hundred MB) lasts
    // a second or two, and a recorded snapshot means the crash came too late: fail at once.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const exited = ["STOPPED", "GONE"].includes(await taskStatus(containerId));
      if ((await listSnapshots(db, d.id)).some((s) => s.podUid === podUid && s.trigger === "stop")) throw new Error("the snapshot was recorded before the crash could be injected");
      if (exited) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("the stop's commit never started (the container did not exit within 60 s)");
  }

  async function expectRestored(mb: number, md5: string) {
    await api.request("PUT", `${box()}/state`, { state: "running" });
    const { devbox } = await waitForState(db, team, "heavy", "Running", 180_000);
    const [pod] = (await podsFromApi(team.namespace, devbox!.id)).filter((p) => !p.metadata?.deletionTimestamp);
    expect(await sh(team.namespace, pod.metadata!.name!, `md5sum < ~/big-${mb}`)).toBe(md5);
  }

  it("dashboard killed mid stop-commit: the next one finishes it (same request id), nothing lost, one snapshot", async () => {
    const { d, pod, md5 } = await runningWithBigFile(300);
    await stopUntilMidCommit(pod.metadata!.uid!, containerIdOf(pod)!);
    await dash.crash();
    // The Pod is still there: it is deleted only after its snapshot is recorded.
    expect((await podsFromApi(team.namespace, d.id)).map((p) => p.metadata?.uid)).toEqual([pod.metadata!.uid]);
    await dash.start();
    await waitForState(db, team, "heavy", "Stopped", 180_000);
    const snaps = (await listSnapshots(db, d.id)).filter((s) => s.podUid === pod.metadata!.uid);
    expect(snaps.map((s) => s.trigger)).toEqual(["stop"]);
    expect(snaps[0].bytesAdded).toBeGreaterThan(300 * 1048576 * 0.9);
    expect((await findDevbox(db, team.id, "heavy"))!.image).toBe(snaps[0].image);
    await expectRestored(300, md5);
  }, 400_000);

  it("agent process killed while a Commit has the container frozen: the restarted agent thaws it, the user's retry commits", async () => {
    const { d, pod, md5 } = await runningWithBigFile(200);
    const containerId = containerIdOf(pod)!;
    const commit = api.request("POST", `${box()}/snapshots`, undefined, 300_000).catch((e) => e);
    await eventually("the container frozen for the commit", async () => ((await taskStatus(containerId)) === "PAUSED" ? true : undefined), 60_000);
    expect(await crashAgent(admin, { replacePod: false })).toBeGreaterThan(0);
    const answer = await commit;
    expect(answer).toBeInstanceOf(ApiRequestError);
    expect((answer as ApiRequestError).status).toBe(503);
    // A failed Commit is the caller's error, not the devbox's: it is not shown as in Error.
    expect((await findDevbox(db, team.id, "heavy"))!.lastError).toBeNull();
    // kubelet restarts the agent; at start it resumes every container a dead agent left frozen.
    await eventually("the container thawed", async () => ((await taskStatus(containerId)) === "RUNNING" ? true : undefined), 120_000);
    expect(await sh(team.namespace, pod.metadata!.name!, `md5sum < ~/big-200`)).toBe(md5);
    const snap = await eventually("a retried commit", async () => api.request<{ id: string }>("POST", `${box()}/snapshots`, undefined, 300_000).catch(() => undefined), 180_000);
    expect((await listSnapshots(db, d.id)).map((s) => s.id)).toContain(snap.id);
  }, 400_000);

  it("agent process killed during a stop's commit: the stop completes once it is back, nothing lost, one snapshot", async () => {
    const { d, pod, md5 } = await runningWithBigFile(400);
    await stopUntilMidCommit(pod.metadata!.uid!, containerIdOf(pod)!);
    expect(await crashAgent(admin, { replacePod: false })).toBeGreaterThan(0);
    await waitForState(db, team, "heavy", "Stopped", 300_000);
    // The Pod may carry the Commit of the case before; its stop left exactly one snapshot.
    const snaps = (await listSnapshots(db, d.id)).filter((s) => s.podUid === pod.metadata!.uid && s.trigger === "stop");
    expect(snaps).toHaveLength(1);
    expect((await findDevbox(db, team.id, "heavy"))!.image).toBe(snaps[0].image);
    await expectRestored(400, md5);
  }, 400_000);
});
