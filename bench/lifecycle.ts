// Devbox lifecycle through the dashboard's own code path (service → DB → reconciler with the
// snapshot hook → Kubernetes, status from the Pod cache) against a floor doing the same work by
// hand with bare Kubernetes and the node agent, observed the same way:
//  - create → Running: a bare Pod of the template image;
//  - stop → Stopped: the product commits the container (commitBeforeRemoval) and deletes the
//    Pod; the floor calls the agent itself (graceful stop + commit) and deletes the Pod; both
//    until the Pod is gone (teardown included, no force delete);
//  - start → Running: a Pod from the snapshot image just pushed (its new layer is pulled).
// A small change is written before each stop (untimed) and checked after each start.
// Plus the list page's server time and Kubernetes calls at 10, 100 and 1,000 devboxes.
//   npm run bench -- lifecycle [--json] [--runs 20] [--list-sizes 10,100,1000]
import { performance } from "node:perf_hooks";
import { CoreV1Api, KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { openDatabase, type Database } from "../db/client";
import { devboxes, type Devbox } from "../db/schema/devboxes";
import type { Team } from "../db/schema/teams";
import { DEVBOX_ID_LABEL } from "../lib/devboxes/k8s-objects";
import { findDevbox, pendingOperations } from "../lib/devboxes/queries";
import { createDevbox, deleteDevbox, startDevbox, stopDevbox } from "../lib/devboxes/service";
import { deriveStatus, type DevboxState } from "../lib/devboxes/status";
import { loadTeamDevboxViews } from "../lib/devboxes/view";
import { newId, randomSuffix } from "../lib/ids";
import { kubeConfig } from "../lib/k8s/config";
import { devboxPodCache } from "../lib/k8s/pod-cache";
import { Reconciler } from "../lib/reconciler/controller";
import { agentCommit } from "../lib/snapshots/agent-client";
import { commitBeforeRemoval } from "../lib/snapshots/commit-before-removal";
import { listTeamsForUser } from "../lib/teams/queries";
import { listTemplates, seedBuiltinTemplates } from "../lib/templates/queries";
import { registerUser } from "../lib/users/register";
import { execIn, exitCodeOf, STATE_DIR } from "../test/integration/cluster-helpers";
import { type Benchmark, type Stats, intOption, option, stats } from "./types";

interface Result {
  runs: number;
  image: string;
  createToRunning: { dashboard: Stats; floor: Stats; ratio: number };
  /** commit of the container + Pod deletion until it is gone */
  stopToStopped: { dashboard: Stats; floor: Stats; ratio: number };
  /** a Pod from the snapshot image the stop pushed */
  startToRunning: { dashboard: Stats; floor: Stats; ratio: number };
  listPage: { devboxes: number; medianMs: number; kubernetesCallsPerLoad: number }[];
}

const POLL_MS = 5;
const SLOW_POLL_MS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 180_000, pollMs = POLL_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(pollMs);
  }
}

/**
 * Running as the dashboard shows it, from the devbox row in hand and the Pod cache: no DB query.
 * (Polling PGlite every few ms from this loop starves the reconciler, which shares it: an early
 * version of this benchmark measured its own load.)
 */
const runningNow = (d: Devbox) => deriveStatus(d, devboxPodCache().podsOf(d.id)).state === "Running";

async function stateOf(db: Database, team: Team, name: string): Promise<DevboxState | "Gone"> {
  const d = await findDevbox(db, team.id, name);
  if (!d) return "Gone";
  const ops = await pendingOperations(db, [d.id]);
  const s = deriveStatus(d, devboxPodCache().podsOf(d.id), ops.get(d.id)?.[0]?.kind);
  if (s.state === "Error") throw new Error(`${name}: ${s.reason}`);
  return s.state;
}

const stoppedNow = (d: Devbox) => deriveStatus(d, devboxPodCache().podsOf(d.id)).state === "Stopped";

/** The floor's grace for SIGTERM before SIGKILL: the devbox Pod's terminationGracePeriodSeconds. */
const FLOOR_GRACE_SECONDS = 10;

const podRunning = (pods: V1Pod[]) => pods.some((p) => p.status?.phase === "Running" && p.status.containerStatuses?.[0]?.state?.running);

const bench: Benchmark<Result> = {
  description: "devbox create/start → Running via the dashboard vs a bare Pod create (floor); list page cost vs size",
  async run({ args, log }) {
    const runs = intOption(args, "runs", 20);
    const sizes = (option(args, "list-sizes") ?? "10,100,1000").split(",").map(Number);
    process.env.DEVBOX_INSTANCE = `bench-${randomSuffix()}`;
    const handle = await openDatabase({ pgliteDir: "memory://" });
    await handle.migrate();
    const db = handle.db;
    await seedBuiltinTemplates(db);
    const template = (await listTemplates(db)).find((t) => t.name === "debian")!;
    const user = await registerUser(db, { email: `bench-${randomSuffix()}@example.com`, password: "correct horse 7" });
    const [team] = await listTeamsForUser(db, user.id);
    const pods = devboxPodCache();
    pods.start();
    process.env.DEVBOX_AGENT_TOKEN_FILE ??= `${STATE_DIR}/agent/token`;
    const reconciler = new Reconciler(db, pods, commitBeforeRemoval(db));
    await reconciler.start();
    await until("leadership", () => reconciler.isLeader, 30_000);

    const admin = new KubeConfig();
    admin.loadFromFile(process.env.DEVBOX_ADMIN_KUBECONFIG ?? "/var/lib/devbox-cluster/kubeconfig/admin.kubeconfig");
    const core = admin.makeApiClient(CoreV1Api);
    const spec = { cpuMillis: 500, memoryMiB: 512, diskMiB: 2048 };
    /** The untimed change before a stop, and the check after the next start that it was kept. */
    const write = async (pod: string, i: number) => {
      const r = await execIn(admin, team.namespace, pod, "devbox", ["sh", "-c", `echo ${i} > .bench-cycle-${i} && sync`]);
      if (exitCodeOf(r.status) !== 0) throw new Error(`writing in ${pod}: ${r.stderr}`);
    };
    const kept = async (pod: string, i: number) => {
      const r = await execIn(admin, team.namespace, pod, "devbox", ["cat", `.bench-cycle-${i}`]);
      if (exitCodeOf(r.status) !== 0 || r.stdout.trim() !== String(i)) throw new Error(`${pod} lost the change of cycle ${i}: ${r.stderr}`);
    };
    const barePod = (id: string, image: string) => ({
      metadata: { name: id, labels: { [DEVBOX_ID_LABEL]: id } },
      spec: {
        restartPolicy: "Never",
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: FLOOR_GRACE_SECONDS,
        containers: [{ name: "devbox", image, imagePullPolicy: "IfNotPresent", resources: { limits: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "2Gi" } } }],
      },
    });
    /** Deleted as the reconciler deletes (the Pod's own grace period), until it is gone. */
    const deleteBarePod = async (id: string) => {
      await core.deleteNamespacedPod({ name: id, namespace: team.namespace });
      await until(`${id} gone`, () => pods.podsOf(id).length === 0);
    };
    try {
      log(`[lifecycle] warming up: pulling ${template.image}`);
      await createDevbox(db, team, user.id, { name: "warm", templateId: template.id, ...spec, ports: [] });
      await until("warm-up running", async () => (await stateOf(db, team, "warm")) === "Running");
      await deleteDevbox(db, team, user.id, "warm");
      await until("warm-up gone", async () => (await stateOf(db, team, "warm")) === "Gone");

      const create: number[] = [];
      for (let i = 0; i < runs; i++) {
        const name = `c${i}`;
        const t0 = performance.now();
        const d = await createDevbox(db, team, user.id, { name, templateId: template.id, ...spec, ports: [] });
        await until(`${name} running`, () => runningNow(d));
        create.push(performance.now() - t0);
        await deleteDevbox(db, team, user.id, name);
        await until(`${name} gone`, async () => (await stateOf(db, team, name)) === "Gone", 180_000, SLOW_POLL_MS);
        log(`[lifecycle] create→Running ${i + 1}/${runs}: ${create.at(-1)!.toFixed(0)} ms`);
      }

      // Stop (commit, then the Pod goes) and start from the snapshot, through the product.
      const stop: number[] = [];
      const start: number[] = [];
      const cycle = await createDevbox(db, team, user.id, { name: "cycle", templateId: template.id, ...spec, ports: [] });
      await until("cycle running", async () => (await stateOf(db, team, "cycle")) === "Running");
      const podOf = (id: string) => pods.podsOf(id).find((p) => !p.metadata?.deletionTimestamp)?.metadata?.name ?? "";
      let image = template.image;
      for (let i = 0; i < runs; i++) {
        await write(podOf(cycle.id), i);
        let t0 = performance.now();
        const stopping = await stopDevbox(db, team, user.id, "cycle");
        await until("cycle stopped", () => stoppedNow(stopping));
        stop.push(performance.now() - t0);
        await until("stop operation closed", async () => (await stateOf(db, team, "cycle")) === "Stopped", 180_000, SLOW_POLL_MS);
        t0 = performance.now();
        const d = await startDevbox(db, team, user.id, "cycle");
        await until("cycle running", () => runningNow(d));
        start.push(performance.now() - t0);
        if (d.image === image) throw new Error(`cycle ${i}: the stop committed nothing (the devbox still starts from ${image})`);
        image = d.image;
        await kept(podOf(d.id), i);
        log(`[lifecycle] stop→Stopped ${i + 1}/${runs}: ${stop.at(-1)!.toFixed(0)} ms, start→Running from the snapshot: ${start.at(-1)!.toFixed(0)} ms`);
      }
      await deleteDevbox(db, team, user.id, "cycle");
      await until("cycle gone", async () => (await stateOf(db, team, "cycle")) === "Gone");

      // The floor: the same image and limits as a bare Pod, observed through the same watch,
      // deleted normally (teardown waited for, untimed).
      const floor: number[] = [];
      for (let i = 0; i < runs; i++) {
        const id = `floor-${randomSuffix()}`;
        const t0 = performance.now();
        await core.createNamespacedPod({ namespace: team.namespace, body: barePod(id, template.image) });
        await until(`${id} running`, () => podRunning(pods.podsOf(id)));
        floor.push(performance.now() - t0);
        await deleteBarePod(id);
        log(`[lifecycle] bare Pod→Running ${i + 1}/${runs}: ${floor.at(-1)!.toFixed(0)} ms`);
      }

      // The stop/start floor by hand: agent commit (graceful stop) → delete the Pod → gone; a
      // bare Pod from the snapshot image → Running.
      const floorStop: number[] = [];
      const floorStart: number[] = [];
      const floorRepo = `${team.namespace}/floor-${randomSuffix()}`;
      let floorImage = template.image;
      let id = `floor-${randomSuffix()}`;
      await core.createNamespacedPod({ namespace: team.namespace, body: barePod(id, floorImage) });
      await until(`${id} running`, () => podRunning(pods.podsOf(id)));
      for (let i = 0; i < runs; i++) {
        await write(id, i);
        let t0 = performance.now();
        const nodeIP = pods.podsOf(id)[0].status!.hostIP!;
        const snap = await agentCommit(nodeIP, {
          namespace: team.namespace, pod: id, container: "devbox", parentImage: floorImage,
          targetRepository: floorRepo, targetTag: `f${i}`, trigger: "stop", requestId: `${floorRepo}-f${i}`,
          stop: { graceSeconds: FLOOR_GRACE_SECONDS },
        });
        await deleteBarePod(id);
        floorStop.push(performance.now() - t0);
        if (snap.mode !== "exited") throw new Error(`the node agent ignored the graceful stop (mode ${snap.mode}): deploy the agent from this checkout`);
        floorImage = snap.image;
        id = `floor-${randomSuffix()}`;
        t0 = performance.now();
        await core.createNamespacedPod({ namespace: team.namespace, body: barePod(id, floorImage) });
        await until(`${id} running`, () => podRunning(pods.podsOf(id)));
        floorStart.push(performance.now() - t0);
        await kept(id, i);
        log(`[lifecycle] floor stop ${i + 1}/${runs}: ${floorStop.at(-1)!.toFixed(0)} ms, start from the snapshot: ${floorStart.at(-1)!.toFixed(0)} ms`);
      }
      await deleteBarePod(id);

      // List page: rows in the DB (stopped devboxes; a node runs ~100 Pods at most), Kubernetes
      // calls counted at the client: every request passes applySecurityAuthentication.
      const kc = kubeConfig();
      let calls = 0;
      const original = kc.applySecurityAuthentication.bind(kc);
      kc.applySecurityAuthentication = async (ctx) => {
        calls++;
        return original(ctx);
      };
      const listPage: Result["listPage"] = [];
      let have = 0;
      for (const size of sizes) {
        const rows = Array.from({ length: size - have }, (_, k) => ({
          id: newId(),
          teamId: team.id,
          name: `list-${have + k}`,
          templateId: template.id,
          image: template.image,
          ...spec,
          user: "devbox",
          workingDir: "/home/devbox/project",
          desiredState: "stopped" as const,
        }));
        for (let k = 0; k < rows.length; k += 500) await db.insert(devboxes).values(rows.slice(k, k + 500));
        have = size;
        const times: number[] = [];
        calls = 0;
        for (let k = 0; k < 20; k++) {
          const t0 = performance.now();
          const views = await loadTeamDevboxViews(db, team.id);
          times.push(performance.now() - t0);
          if (views.length !== size) throw new Error(`expected ${size} devboxes, got ${views.length}`);
        }
        listPage.push({ devboxes: size, medianMs: stats(times).median, kubernetesCallsPerLoad: calls / 20 });
        log(`[lifecycle] list of ${size}: median ${stats(times).median} ms, ${calls / 20} Kubernetes calls per load`);
      }
      kc.applySecurityAuthentication = original;

      const pair = (dashboard: number[], floorMs: number[]) => {
        const [a, b] = [stats(dashboard), stats(floorMs)];
        return { dashboard: a, floor: b, ratio: Math.round((a.median / b.median) * 100) / 100 };
      };
      return {
        runs,
        image: template.image,
        createToRunning: pair(create, floor),
        stopToStopped: pair(stop, floorStop),
        startToRunning: pair(start, floorStart),
        listPage,
      };
    } finally {
      await reconciler.stop();
      await pods.stop();
      await core.deleteNamespace({ name: team.namespace }).catch(() => {});
      await handle.close();
    }
  },
  format(r) {
    const row = (label: string, x: Stats) => `  ${label.padEnd(58)} median ${String(x.median).padStart(7)} ms   p95 ${String(x.p95).padStart(7)} ms`;
    const ratio = (x: { ratio: number }) => `  ${"".padEnd(58)} ${x.ratio}× the floor (target ≤ 1.3×)`;
    return [
      `Devbox lifecycle (${r.runs} runs, ${r.image})`,
      row("create → Running (dashboard)", r.createToRunning.dashboard),
      row("bare Pod → Running (floor)", r.createToRunning.floor),
      ratio(r.createToRunning),
      row("stop → Stopped: commit + Pod gone (dashboard)", r.stopToStopped.dashboard),
      row("agent commit (graceful stop) + delete → gone (floor)", r.stopToStopped.floor),
      ratio(r.stopToStopped),
      row("start → Running from the snapshot (dashboard)", r.startToRunning.dashboard),
      row("bare Pod from the snapshot → Running (floor)", r.startToRunning.floor),
      ratio(r.startToRunning),
      `List page (DB + Pod cache):`,
      ...r.listPage.map((l) => `  ${String(l.devboxes).padStart(5)} devboxes: median ${l.medianMs} ms, ${l.kubernetesCallsPerLoad} Kubernetes calls per load`),
    ].join("\n");
  },
};

export default bench;
