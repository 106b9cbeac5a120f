// The install (deploy/) on the bundled cluster, against the host-run dashboard in the same run:
//  - apply → answering: `kubectl apply -k` until the in-cluster dashboard answers its health route
//    through its Service (images already built and pushed: deploy/images/build.sh, untimed);
//  - create → Running: POST of a devbox to the REST API until the API shows it Running (polled
//    every 100 ms the same way), through the in-cluster dashboard (Pod, service account, its own
//    registry behind the node's forwarder) and through a host-run dashboard (`npm start` as
//    scripts/run.sh runs it: node process, dashboard.kubeconfig, the bundled registry). Same image
//    (its layers already on the node for both), same size; alternated, untimed delete in between.
// Target: in-cluster / host ≤ 1.2 (medians).
//   npm run bench -- install [--json] [--runs 5]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { CoreV1Api } from "@kubernetes/client-node";
import { randomSuffix } from "../lib/ids";
import { adminConfig } from "../test/integration/cluster-helpers";
import { ApiClient, Dashboard } from "../test/support/dashboard";
import { applyInstall, buildInstallImages, dashboardLogs, seedRuntimeImages, uninstall, waitForDashboard, writeInstallOverlay } from "../test/support/install";
import { type Benchmark, type Stats, intOption, stats } from "./types";

interface Result {
  runs: number;
  applyToAnsweringMs: number;
  createToRunning: { inCluster: Stats; host: Stats; ratio: number };
  loadavg: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Target {
  name: string;
  api: ApiClient;
  team: string;
  templateId: string;
}

async function target(name: string, url: string, email: string, password: string): Promise<Target> {
  const api = new ApiClient(url);
  await api.signIn(email, password);
  const { items: teams } = await api.request<{ items: { slug: string }[] }>("GET", "/api/v1/teams");
  const { items: templates } = await api.request<{ items: { id: string; name: string }[] }>("GET", "/api/v1/templates");
  const debian = templates.find((t) => t.name === "debian");
  if (!debian) throw new Error(`${name}: no debian template`);
  return { name, api, team: teams[0].slug, templateId: debian.id };
}

/** ms from the POST until the API shows the devbox Running; then deletes it (untimed) and waits until it is gone. */
async function createToRunning(t: Target, box: string): Promise<number> {
  const base = `/api/v1/teams/${t.team}/devboxes`;
  const t0 = performance.now();
  await t.api.request("POST", base, { name: box, templateId: t.templateId, cpuMillis: 500, memoryMiB: 512, diskMiB: 2048 });
  let last = "";
  for (;;) {
    const v = await t.api.request<{ status: { state: string; reason?: string } }>("GET", `${base}/${box}`);
    if (v.status.state === "Running") break;
    last = `${v.status.state} ${v.status.reason ?? ""}`;
    if (v.status.state === "Error") throw new Error(`${t.name}/${box}: ${last}`);
    if (performance.now() - t0 > 300_000) throw new Error(`${t.name}/${box} not Running after 5 min (${last})`);
    await sleep(100);
  }
  const ms = performance.now() - t0;
  await t.api.request("DELETE", `${base}/${box}`);
  for (let i = 0; i < 600; i++) {
    try {
      await t.api.request("GET", `${base}/${box}`);
    } catch {
      return ms; // 404: gone
    }
    await sleep(500);
  }
  throw new Error(`${t.name}/${box} was not deleted`);
}

const bench: Benchmark<Result> = {
  description: "install (kubectl apply -k deploy/) → dashboard answering; devbox create → Running via the in-cluster vs the host-run dashboard",
  async run({ args, log }) {
    const runs = intOption(args, "runs", 5);
    const email = `bench-${randomSuffix()}@example.com`;
    const password = "install bench horse 7";
    log("building and pushing the images (deploy/images/build.sh; untimed)");
    const images = await buildInstallImages();
    const inst = await writeInstallOverlay(images, { config: { DEVBOX_ADMIN_EMAIL: email, DEVBOX_ADMIN_PASSWORD: password } });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "devbox-bench-install-"));
    const host = await Dashboard.create({
      dataDir,
      instance: `bench-install-${inst.suffix}`,
      adminEmail: email,
      adminPassword: password,
      env: { DEVBOX_NAMESPACE_PREFIX: `dbh${inst.suffix}-`, DEVBOX_NAMESPACE_LABELS: "devbox.dev/test-run=true" },
    });
    try {
      log(`kubectl apply -k (namespace ${inst.namespace})`);
      const t0 = performance.now();
      await applyInstall(inst);
      await waitForDashboard(inst).catch(async (err) => {
        throw new Error(`${err}\n${await dashboardLogs(inst)}`);
      });
      const applyToAnsweringMs = Math.round(performance.now() - t0);
      log(`answering after ${applyToAnsweringMs} ms; seeding the runtime image into its registry`);
      await seedRuntimeImages(inst);
      await host.start();
      const inCluster = await target("in-cluster", inst.url, email, password);
      const onHost = await target("host", host.url, email, password);
      // one untimed round each: first Pod of a team namespace, the new registry name resolved once
      await createToRunning(inCluster, "warm");
      await createToRunning(onHost, "warm");
      const samples = { inCluster: [] as number[], host: [] as number[] };
      for (let i = 0; i < runs; i++) {
        for (const t of i % 2 ? [onHost, inCluster] : [inCluster, onHost]) {
          const ms = await createToRunning(t, `b${i}`);
          (t === inCluster ? samples.inCluster : samples.host).push(ms);
          log(`${t.name} run ${i + 1}: ${Math.round(ms)} ms`);
        }
      }
      const a = stats(samples.inCluster);
      const b = stats(samples.host);
      return { runs, applyToAnsweringMs, createToRunning: { inCluster: a, host: b, ratio: Math.round((a.median / b.median) * 100) / 100 }, loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100) };
    } finally {
      await host.crash().catch(() => undefined);
      await uninstall(inst).catch((err) => log(`uninstall failed: ${err}`));
      const core = adminConfig().makeApiClient(CoreV1Api);
      for (const n of (await core.listNamespace()).items.map((x) => x.metadata!.name!).filter((x) => x.startsWith(`dbh${inst.suffix}-`)))
        await core.deleteNamespace({ name: n }).catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
  format(r) {
    const row = (name: string, s: Stats) => `  ${name.padEnd(30)} median ${String(s.median).padStart(7)}  p95 ${String(s.p95).padStart(7)}  (n=${s.n})`;
    return [
      `install: kubectl apply -k → dashboard answering through its Service: ${r.applyToAnsweringMs} ms`,
      `devbox create → Running (ms, ${r.runs} runs each):`,
      row("in-cluster dashboard (Pod)", r.createToRunning.inCluster),
      row("host-run dashboard", r.createToRunning.host),
      `  ratio in-cluster / host (medians): ${r.createToRunning.ratio} (target ≤ 1.2)`,
      `load average: ${r.loadavg.join(" ")}`,
    ].join("\n");
  },
};

export default bench;
