import { execFile } from "node:child_process";
import { appendFileSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { CONTAINER_NAME } from "@/lib/devboxes/k8s-objects";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox } from "@/lib/devboxes/service";
import { AGENT_NAMESPACE, agentHealthy } from "@/lib/snapshots/agent-client";
import { commitBeforeRemoval } from "@/lib/snapshots/commit-before-removal";
import { containerIdOf, listSnapshots } from "@/lib/snapshots/service";
import { crashAgent } from "@/test/support/node-agent";
import { admin, adminCore, eventually, openDevboxWorld, podsFromApi, waitForState, type DevboxWorld } from "./devbox-harness";
import { sh } from "./snapshot-helpers";

// The operator's side of "never lose work", on the SHARED bundled cluster (it restarts it: each
// restart is logged in /work/wt/notes/CLUSTER.log when that file exists):
// - `up` on a running cluster whose node agent is in crash-loop back-off reports it (exit 3) and
//   stops nothing;
// - a power loss (every cluster process and container SIGKILLed), then `up`: every devbox that ran
//   runs again with the files written before;
// - `down` then `up`: unsaved files of running devboxes are kept (graceful stop, containers kept,
//   committed by the dashboard's dead-Pod recovery).
vi.hoisted(() => {
  process.env.DEVBOX_INSTANCE = `it-clusterlife-${Math.random().toString(36).slice(2, 7)}`;
  process.env.DEVBOX_AGENT_CONNECT_TIMEOUT_MS = "3000";
});

const run = promisify(execFile);
const SCRIPT = path.resolve(import.meta.dirname, "../../cluster/devbox-cluster");
const STATE = process.env.DEVBOX_CLUSTER_DIR ?? "/var/lib/devbox-cluster";
const SOCK = `${STATE}/containerd/containerd.sock`;
const NOTES = "/work/wt/notes/CLUSTER.log";
const isRoot = process.getuid?.() === 0;

interface Outcome {
  code: number;
  out: string;
}

async function cluster(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run("bash", [SCRIPT, ...args], { env: { ...process.env, ...env }, timeout: 600_000, maxBuffer: 32 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

function note(what: string) {
  try {
    appendFileSync(NOTES, `${new Date().toISOString()} clusterlife test (cluster-restart.test.ts): ${what}\n`);
  } catch {
    /* not on the shared dev machine */
  }
}

const componentPid = (c: string) => Number(readFileSync(`${STATE}/run/${c}.pid`, "utf8").trim());

async function tasks(): Promise<Map<string, { pid: number; status: string }>> {
  const { stdout } = await run("ctr", ["--address", SOCK, "-n", "k8s.io", "tasks", "ls"]);
  const m = new Map<string, { pid: number; status: string }>();
  for (const l of stdout.split("\n").slice(1)) {
    const [id, pid, status] = l.trim().split(/\s+/);
    if (id) m.set(id, { pid: Number(pid), status });
  }
  return m;
}

/** A power loss, as far as a test can: SIGKILL of every cluster process (by executable), every shim and every container process. */
function powerLoss(): number {
  const programs = new Set(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "containerd", "docker-registry", "containerd-shim-runc-v2", "devbox-agent"]);
  const victims = new Set<number>();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const exe = path.basename(readlinkSync(`/proc/${e}/exe`));
      const cmd = readFileSync(`/proc/${e}/cmdline`, "utf8");
      if (programs.has(exe) && (exe === "devbox-agent" || cmd.includes(`${STATE}/`))) victims.add(Number(e));
    } catch {
      /* gone */
    }
  }
  // every process of every Pod (kubelet's cgroup tree; cgroup v1 here, v2 elsewhere)
  for (const procs of cgroupProcFiles()) {
    for (const pid of readFileSync(procs, "utf8").split("\n").filter(Boolean)) victims.add(Number(pid));
  }
  for (const pid of victims) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  return victims.size;
}

function cgroupProcFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e === "cgroup.procs") out.push(path.join(dir, e));
      else if (!e.includes(".")) walk(path.join(dir, e));
    }
  };
  for (const root of ["/sys/fs/cgroup/memory/kubepods", "/sys/fs/cgroup/pids/kubepods", "/sys/fs/cgroup/kubepods"]) walk(root);
  return out;
}

describe.runIf(isRoot)("cluster restarts keep running devboxes' work (shared cluster)", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;
  let templateId: string;
  let nodeIP = "";
  const names = ["alpha", "beta"];

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "clusterlife", reconcile: commitBeforeRemoval });
    ({ db, owner, team, templateId } = world);
    for (const name of names) await createDevbox(db, team, owner.id, { name, templateId, cpuMillis: 500, memoryMiB: 512, diskMiB: 2048 });
    for (const name of names) await waitForState(db, team, name, "Running", 180_000);
    nodeIP = (await runningPod("alpha")).status!.hostIP!;
  });

  afterAll(async () => {
    // always leave the shared cluster healthy: the agent out of its back-off, every part up
    if (nodeIP && !(await agentHealthy(nodeIP))) await crashAgent(admin, { replacePod: true }).catch(() => {});
    await world?.close();
  });

  async function runningPod(name: string): Promise<V1Pod> {
    const d = (await findDevbox(db, team.id, name))!;
    return eventually(`${name}'s running Pod`, async () => (await podsFromApi(team.namespace, d.id)).find((p) => p.status?.phase === "Running" && !p.metadata?.deletionTimestamp), 60_000);
  }

  /** Writes files in /home and /opt (md5 listed) and returns the listing. */
  async function writeFiles(name: string, tag: string, sync: boolean): Promise<string> {
    const pod = await runningPod(name);
    return sh(team.namespace, pod.metadata!.name!, `
      set -e
      mkdir -p ~/work && head -c 200000 /dev/urandom > ~/work/${tag}.bin && echo "${tag} ${name}" > ~/work/${tag}.txt
      sudo mkdir -p /opt/${tag} && echo "${tag}" | sudo tee /opt/${tag}/marker >/dev/null
      ${sync ? "sync" : ""}
      cd / && md5sum home/devbox/work/${tag}.bin home/devbox/work/${tag}.txt opt/${tag}/marker`);
  }

  const listing = async (name: string, tag: string) => {
    const pod = await runningPod(name);
    return sh(team.namespace, pod.metadata!.name!, `cd / && md5sum home/devbox/work/${tag}.bin home/devbox/work/${tag}.txt opt/${tag}/marker`);
  };

  /** The devbox runs again in a newer Pod generation, from a `recovery` snapshot, with a `recover` operation saying so. */
  async function expectRecovered(name: string, oldPod: V1Pod, files: Record<string, string>, cause: RegExp) {
    await eventually(`${name} recovered in a new Pod`, async () => {
      const p = await runningPod(name).catch(() => undefined);
      return p && p.metadata!.uid !== oldPod.metadata!.uid ? p : undefined;
    }, 300_000);
    await waitForState(db, team, name, "Running", 120_000);
    for (const [tag, want] of Object.entries(files)) expect(await listing(name, tag)).toBe(want);
    const d = (await findDevbox(db, team.id, name))!;
    const snaps = (await listSnapshots(db, d.id)).filter((s) => s.podUid === oldPod.metadata!.uid);
    expect(snaps.map((s) => s.trigger)).toEqual(["recovery"]);
    expect(d.image).toBe(snaps[0].image);
    const ops = await db.query.devboxOperations.findMany({ where: (o, { eq, and }) => and(eq(o.devboxId, d.id), eq(o.kind, "recover")) });
    const messages = ops.map((o) => String((o.details as { message?: string } | null)?.message));
    expect(messages).toContainEqual(expect.stringMatching(cause));
    return messages;
  }

  it("up on a running cluster whose node agent is in crash-loop back-off: exit 3 with what to do, nothing stopped", async () => {
    const pod = await runningPod("alpha");
    const files = { a: await writeFiles("alpha", "a", false) };
    const containerId = containerIdOf(pod)!;
    const before = (await tasks()).get(containerId)!;
    expect(before.status).toBe("RUNNING");
    const components = ["registry", "containerd", "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet"];
    const pids = Object.fromEntries(components.map((c) => [c, componentPid(c)]));

    // Kill the agent each time kubelet restarts it, until kubelet backs off for >= 40 s.
    note("crash-looping the node agent (SIGKILL x3-6) for up's exit-3 test; it is replaced at the end");
    const agentStatus = async () => {
      const [p] = (await adminCore.listNamespacedPod({ namespace: AGENT_NAMESPACE, labelSelector: "app.kubernetes.io/name=devbox-agent" })).items.filter((x) => !x.metadata?.deletionTimestamp);
      return p?.status?.containerStatuses?.[0];
    };
    let backoff = 0;
    for (let kills = 0; kills < 8 && backoff < 40; kills++) {
      await eventually("the agent running", async () => ((await agentHealthy(nodeIP)) ? true : undefined), 200_000);
      const restarts = (await agentStatus())?.restartCount ?? 0;
      expect(await crashAgent(admin, { replacePod: false })).toBeGreaterThan(0);
      // kubelet saw the crash: either restarted it at once, or backs off ("back-off 40s restarting failed container")
      backoff = await eventually("kubelet to notice the agent's crash", async () => {
        const c = await agentStatus();
        if (!c || c.restartCount <= restarts && !c.state?.waiting) return undefined;
        const m = /back-off (?:(\d+)m)?(\d+)s/.exec(c.state?.waiting?.message ?? "");
        if (m) return Number(m[1] ?? 0) * 60 + Number(m[2]);
        return c.state?.running ? 0 : undefined;
      }, 60_000);
    }
    expect(backoff).toBeGreaterThanOrEqual(40);

    const t0 = Date.now();
    const up = await cluster(["up"], { DEVBOX_UP_TIMEOUT: "20" });
    console.log(`up's report (exit ${up.code}):\n${up.out.split("\n").slice(-12).join("\n")}`);
    expect(up.code, up.out).toBe(3);
    expect(up.out).toContain("node agent");
    expect(up.out).toMatch(/is in crash-loop back-off: restarted \d+ times, last exit code 137/);
    expect(up.out).toMatch(/Kubernetes restarts it in \d+ s/);
    expect(up.out).toContain(`-n ${AGENT_NAMESPACE} delete pod devbox-agent-`);
    expect(up.out).toContain("Nothing was stopped");
    expect(up.out).not.toContain("stopping");
    expect(Date.now() - t0).toBeLessThan(120_000); // it does not sit out the back-off

    // untouched: the same components, the same Pod, container and process, the files
    for (const c of components) expect(componentPid(c)).toBe(pids[c]);
    const after = await runningPod("alpha");
    expect(after.metadata!.uid).toBe(pod.metadata!.uid);
    expect((await tasks()).get(containerId)).toEqual(before);
    expect(await listing("alpha", "a")).toBe(files.a);

    // the fix the report gives
    await crashAgent(admin, { replacePod: true });
    await eventually("the agent back", async () => ((await agentHealthy(nodeIP)) ? true : undefined), 120_000);
    const again = await cluster(["up"]);
    expect(again.code, again.out).toBe(0);
    expect((await tasks()).get(containerId)).toEqual(before);
  }, 600_000);

  it("power loss (every cluster process and container SIGKILLed), then up: every devbox that ran runs again with the files written before", async () => {
    const pods = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await runningPod(n)] as const)));
    const files = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await writeFiles(n, "p", true)] as const)));
    note("power loss simulation: SIGKILL of every cluster process, shim and container, then `cluster up`");
    expect(powerLoss()).toBeGreaterThan(8);
    const up = await cluster(["up"]);
    note(`power loss simulation: up exited ${up.code}`);
    expect(up.code, up.out).toBe(0);
    for (const n of names) {
      const messages = await expectRecovered(n, pods[n], { p: files[n] }, /^Recovered after the node restarted: changes up to \d\d:\d\d UTC kept\.$/);
      console.log(`${n}: ${messages.join(" | ")}`);
      expect(messages).toHaveLength(1);
    }
  }, 900_000);

  it("containerd, kubelet and the agent SIGKILLed (containers survive in their shims), then up: the same containers run on, nothing to recover", async () => {
    const pods = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await runningPod(n)] as const)));
    const files = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await writeFiles(n, "k", false)] as const)));
    const before = await tasks();
    note("SIGKILL of containerd, kubelet and the node agent, then `cluster up`");
    for (const c of ["containerd", "kubelet"]) process.kill(componentPid(c), "SIGKILL");
    await crashAgent(admin, { replacePod: false });
    const up = await cluster(["up"]);
    note(`containerd/kubelet/agent kill: up exited ${up.code}`);
    expect(up.code, up.out).toBe(0);
    const after = await tasks();
    for (const n of names) {
      const id = containerIdOf(pods[n])!;
      expect(after.get(id)).toEqual(before.get(id));
      expect((await runningPod(n)).metadata!.uid).toBe(pods[n].metadata!.uid);
      expect(await listing(n, "k")).toBe(files[n]);
    }
  }, 600_000);

  it("down then up: running devboxes' unsaved files, and what their processes write on SIGTERM, are kept", async () => {
    const pods = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await runningPod(n)] as const)));
    const files = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await writeFiles(n, "d", false)] as const)));
    // a process that saves its work when asked to stop (after a second), as editors and databases do;
    // the devbox's main process waits for it (lib/devboxes/main-process.ts)
    await sh(team.namespace, pods.alpha.metadata!.name!, `setsid nohup bash -c 'trap "sleep 1; echo saved > ~/work/on-sigterm; exit 0" TERM; while :; do sleep 0.2; done' >/dev/null 2>&1 &`);
    note("`cluster down` then `cluster up` (down keeps containers for recovery)");
    const down = await cluster(["down"]);
    console.log(`down (exit ${down.code}):\n${down.out}`);
    expect(down.code, down.out).toBe(0);
    expect(down.out).toContain(`${team.namespace}/alpha (pod ${pods.alpha.metadata!.name})`);
    expect(down.out).toContain(`${team.namespace}/beta (pod ${pods.beta.metadata!.name})`);
    expect(down.out).toContain("the dashboard commits each one's changes");
    const up = await cluster(["up"]);
    note(`down/up: up exited ${up.code}`);
    expect(up.code, up.out).toBe(0);
    for (const n of names) console.log(`${n}: ${(await expectRecovered(n, pods[n], { d: files[n] }, /^Recovered after the cluster was stopped: changes up to \d\d:\d\d UTC kept\.$/)).join(" | ")}`);
    const alpha = await runningPod("alpha");
    expect(await sh(team.namespace, alpha.metadata!.name!, "cat ~/work/on-sigterm")).toBe("saved\n");
    // and the files from before the power loss are still there too
    expect(await sh(team.namespace, alpha.metadata!.name!, "test -f ~/work/p.bin && test -f ~/work/a.bin && echo ok")).toBe("ok\n");
    expect(alpha.spec!.containers.find((c) => c.name === CONTAINER_NAME)!.image).toBe((await findDevbox(db, team.id, "alpha"))!.image);
  }, 900_000);
});
