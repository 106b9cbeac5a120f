// Devbox lifecycle through the dashboard's own code path (service → DB → reconciler → Kubernetes,
// status from the Pod cache) against a bare client-node Pod create of the same image, observed
// the same way (the floor). Plus the list page's server time and Kubernetes calls at 10, 100 and
// 1,000 devboxes.
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
import { listTeamsForUser } from "../lib/teams/queries";
import { listTemplates, seedBuiltinTemplates } from "../lib/templates/queries";
import { registerUser } from "../lib/users/register";
import { type Benchmark, type Stats, intOption, option, stats } from "./types";

interface Result {
  runs: number;
  image: string;
  createToRunning: { dashboard: Stats; floor: Stats; ratio: number };
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
    const reconciler = new Reconciler(db, pods);
    await reconciler.start();
    await until("leadership", () => reconciler.isLeader, 30_000);

    const admin = new KubeConfig();
    admin.loadFromFile(process.env.DEVBOX_ADMIN_KUBECONFIG ?? "/var/lib/devbox-cluster/kubeconfig/admin.kubeconfig");
    const core = admin.makeApiClient(CoreV1Api);
    const spec = { cpuMillis: 500, memoryMiB: 512, diskMiB: 2048 };

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

      const start: number[] = [];
      await createDevbox(db, team, user.id, { name: "cycle", templateId: template.id, ...spec, ports: [] });
      await until("cycle running", async () => (await stateOf(db, team, "cycle")) === "Running");
      for (let i = 0; i < runs; i++) {
        await stopDevbox(db, team, user.id, "cycle");
        await until("cycle stopped", async () => (await stateOf(db, team, "cycle")) === "Stopped", 180_000, SLOW_POLL_MS);
        const t0 = performance.now();
        const d = await startDevbox(db, team, user.id, "cycle");
        await until("cycle running", () => runningNow(d));
        start.push(performance.now() - t0);
        log(`[lifecycle] start→Running ${i + 1}/${runs}: ${start.at(-1)!.toFixed(0)} ms`);
      }
      await deleteDevbox(db, team, user.id, "cycle");
      await until("cycle gone", async () => (await stateOf(db, team, "cycle")) === "Gone");

      // The floor: the same image and limits as a bare Pod, observed through the same watch.
      const floor: number[] = [];
      for (let i = 0; i < runs; i++) {
        const id = `floor-${randomSuffix()}`;
        const t0 = performance.now();
        await core.createNamespacedPod({
          namespace: team.namespace,
          body: {
            metadata: { name: id, labels: { [DEVBOX_ID_LABEL]: id } },
            spec: {
              restartPolicy: "Never",
              automountServiceAccountToken: false,
              containers: [{ name: "devbox", image: template.image, imagePullPolicy: "IfNotPresent", resources: { limits: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "2Gi" } } }],
            },
          },
        });
        await until(`${id} running`, () => podRunning(pods.podsOf(id)));
        floor.push(performance.now() - t0);
        await core.deleteNamespacedPod({ name: id, namespace: team.namespace, gracePeriodSeconds: 0 });
        await until(`${id} gone`, () => pods.podsOf(id).length === 0);
        log(`[lifecycle] bare Pod→Running ${i + 1}/${runs}: ${floor.at(-1)!.toFixed(0)} ms`);
      }

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

      const c = stats(create);
      const s = stats(start);
      const f = stats(floor);
      const ratio = (a: Stats) => Math.round((a.median / f.median) * 100) / 100;
      return {
        runs,
        image: template.image,
        createToRunning: { dashboard: c, floor: f, ratio: ratio(c) },
        startToRunning: { dashboard: s, floor: f, ratio: ratio(s) },
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
    const row = (label: string, x: Stats) => `  ${label.padEnd(28)} median ${String(x.median).padStart(7)} ms   p95 ${String(x.p95).padStart(7)} ms`;
    return [
      `Devbox lifecycle (${r.runs} runs, ${r.image})`,
      row("create → Running (dashboard)", r.createToRunning.dashboard),
      row("start → Running (dashboard)", r.startToRunning.dashboard),
      row("bare Pod → Running (floor)", r.createToRunning.floor),
      `  ratio create/floor ${r.createToRunning.ratio}×   start/floor ${r.startToRunning.ratio}×   (target ≤ 1.3×)`,
      `List page (DB + Pod cache):`,
      ...r.listPage.map((l) => `  ${String(l.devboxes).padStart(5)} devboxes: median ${l.medianMs} ms, ${l.kubernetesCallsPerLoad} Kubernetes calls per load`),
    ].join("\n");
  },
};

export default bench;
