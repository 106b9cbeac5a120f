// Randomized soak of "never lose work": a devbox gets random files each cycle, stop / start /
// restart / commit are requested through the REST API of the real dashboard, and the dashboard
// process and the node agent are SIGKILLed at random moments. After every cycle every file ever
// written must be there with its checksum.
//
//   npm run chaos -- --cycles 200 --seed 42 [--database-url postgres://…] [--verbose]
//
// Needs the bundled cluster up and a production build (`npm run build`). The seed is printed;
// the same seed replays the same plan (timings on a busy machine still vary).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { Exec, KubeConfig, type V1Status } from "@kubernetes/client-node";
import { ApiClient, Dashboard } from "@/test/support/dashboard";
import { crashAgent } from "@/test/support/node-agent";

interface Args {
  cycles: number;
  seed: number;
  databaseUrl?: string;
  verbose: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { cycles: 20, seed: Math.floor(Math.random() * 2 ** 31), verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--verbose") a.verbose = true;
    else if (flag === "--cycles") a.cycles = Number(argv[++i]);
    else if (flag === "--seed") a.seed = Number(argv[++i]);
    else if (flag === "--database-url") a.databaseUrl = argv[++i];
    else throw new Error(`unknown argument ${argv[i]} (--cycles N --seed S [--database-url URL] [--verbose])`);
  }
  if (!(a.cycles > 0) || !Number.isInteger(a.seed)) throw new Error("--cycles must be > 0 and --seed an integer");
  return a;
}

/** mulberry32: small, seedable, good enough to pick actions and delays. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

const admin = new KubeConfig();
admin.loadFromFile(process.env.DEVBOX_ADMIN_KUBECONFIG ?? "/var/lib/devbox-cluster/kubeconfig/admin.kubeconfig");

async function sh(namespace: string, pod: string, script: string): Promise<string> {
  let out = "";
  let err = "";
  const sink = (f: (s: string) => void) => new Writable({ write: (chunk, _e, cb) => (f(chunk.toString()), cb()) });
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(admin).exec(namespace, pod, "devbox", ["bash", "-c", script], sink((s) => (out += s)), sink((s) => (err += s)), null, false, resolve).catch(reject);
  });
  if (status.status !== "Success") throw new Error(`exec failed (${status.message}): ${err}`);
  return out;
}

interface DevboxJson {
  name: string;
  podGeneration?: number;
  status: { state: string; reason?: string; podName?: string };
}

const ACTIONS = ["stop", "stop", "restart", "commit", "stop-start"] as const;
const DIRS = ["/home/devbox/chaos", "/opt/chaos", "/usr/local/chaos"];

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const r = rng(args.seed);
  console.log(`[chaos] seed ${args.seed}, ${args.cycles} cycles, DB ${args.databaseUrl ? "PostgreSQL" : "PGlite"} (replay: npm run chaos -- --cycles ${args.cycles} --seed ${args.seed})`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "devbox-chaos-"));
  const email = `chaos-${args.seed}@example.com`;
  const password = "chaos horse battery 9";
  const dash = await Dashboard.create({
    databaseUrl: args.databaseUrl,
    dataDir,
    instance: `chaos-${args.seed}-${process.pid}`,
    adminEmail: email,
    adminPassword: password,
    verbose: args.verbose,
    // A killed leader's Lease blocks its successor this long: shorter, for more cycles per hour.
    env: { DEVBOX_LEASE_SECONDS: "5" },
  });
  await dash.start();
  const api = new ApiClient(dash.url);
  await api.signIn(email, password);
  const { items: teams } = await api.request<{ items: { slug: string; namespace: string }[] }>("GET", "/api/v1/teams");
  const { slug: team, namespace } = teams[0];
  const box = `chaos${args.seed % 100000}`;
  const base = `/api/v1/teams/${team}/devboxes`;
  await api.request("POST", base, { name: box, templateId: await debianTemplate(api), cpuMillis: 1000, memoryMiB: 1024, diskMiB: 4096 });

  const written: { path: string; md5: string }[] = [];
  const faults = { dashboardKills: 0, agentKills: 0 };
  let passed = 0;
  let failed = 0;
  const ensureDashboard = async () => {
    if (!dash.running) await dash.start();
  };
  const view = async () => {
    await ensureDashboard();
    return api.request<DevboxJson>("GET", `${base}/${box}`);
  };
  /** Waits for a state, restarting a crashed dashboard and re-asking for it (requests are idempotent). */
  const reach = async (state: "Running" | "Stopped", ask: () => Promise<unknown>) => {
    const deadline = Date.now() + 300_000;
    let last = "";
    while (Date.now() < deadline) {
      try {
        const v = await view();
        last = `${v.status.state}${v.status.reason ? `: ${v.status.reason}` : ""}`;
        if (v.status.state === state) return v;
        if (v.status.state === "Error" || (state === "Running" && v.status.state === "Stopped") || (state === "Stopped" && v.status.state === "Running")) await ask();
      } catch (err) {
        last = String(err);
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    throw new Error(`${box} did not reach ${state} in 5 min (last: ${last})\n${dash.tail()}`);
  };
  const start = () => api.request("PUT", `${base}/${box}/state`, { state: "running" });
  const stop = () => api.request("PUT", `${base}/${box}/state`, { state: "stopped" });

  for (let cycle = 1; cycle <= args.cycles; cycle++) {
    const t0 = Date.now();
    const running = await reach("Running", start);
    const pod = running.status.podName!;
    // New files: random sizes, random places (home, /opt, /usr/local), checksummed inside.
    const n = r.int(1, 3);
    for (let i = 0; i < n; i++) {
      const dir = r.pick(DIRS);
      const file = `${dir}/c${cycle}-${i}-${r.int(0, 1e6)}`;
      const kb = r.next() < 0.7 ? r.int(1, 64) : r.int(64, 8192);
      const md5 = (await sh(namespace, pod, `sudo mkdir -p ${dir} && head -c ${kb * 1024} /dev/urandom | sudo tee ${file} >/dev/null && sudo md5sum < ${file} | cut -c1-32 && sync`)).trim();
      written.push({ path: file, md5 });
    }
    const action = r.pick(ACTIONS);
    const killDashboardAt = r.next() < 0.5 ? r.int(0, 3000) : undefined;
    const killAgentAt = r.next() < 0.25 ? r.int(0, 3000) : undefined;
    const faultsDone = Promise.all([
      killDashboardAt === undefined ? undefined : sleep(killDashboardAt).then(async () => {
        if (!dash.running) return;
        await dash.crash();
        faults.dashboardKills++;
      }),
      killAgentAt === undefined ? undefined : sleep(killAgentAt).then(async () => {
        if ((await crashAgent(admin, { replacePod: true })) > 0) faults.agentKills++;
      }),
    ]);
    // The request itself may die with the dashboard: that is part of the test.
    const request = (action === "stop" || action === "stop-start" ? stop() : action === "restart" ? api.request("POST", `${base}/${box}/restarts`, { podGeneration: running.podGeneration }) : api.request("POST", `${base}/${box}/snapshots`, undefined, 300_000)).catch((err) => err);
    if (action === "stop-start") {
      await request;
      await sleep(r.int(0, 1500));
      await start().catch(() => {});
    }
    await request;
    await faultsDone;
    if (action === "stop") await reach("Stopped", stop);
    const back = await reach("Running", start);
    // Every file ever written, with its checksum.
    const list = written.map((w) => `${w.md5}  ${w.path}`).join("\n");
    const check = await sh(namespace, back.status.podName!, `cat > /tmp/expect <<'EOF'\n${list}\nEOF\nsudo md5sum --quiet -c /tmp/expect 2>&1 | grep -v '^md5sum: WARNING' || true`);
    const lost = check.split("\n").filter((l) => /FAILED/.test(l));
    const ok = lost.length === 0;
    if (ok) passed++;
    else failed++;
    console.log(
      `[chaos] cycle ${cycle}/${args.cycles} ${action.padEnd(10)} dashboard-kill ${killDashboardAt === undefined ? "-" : `${killDashboardAt}ms`} agent-kill ${killAgentAt === undefined ? "-" : `${killAgentAt}ms`} → ${ok ? "ok" : `LOST ${lost.length}: ${lost.slice(0, 3).join("; ")}`} (${written.length} files, ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }
  console.log(`[chaos] faults: dashboard SIGKILLed ${faults.dashboardKills}×, node agent SIGKILLed ${faults.agentKills}×; seed ${args.seed}`);
  console.log(`[chaos] ${passed} passed, ${failed} failed`);
  await api.request("DELETE", `${base}/${box}`).catch(() => {});
  await sleep(3000);
  await dash.crash();
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(failed === 0 ? 0 : 1);
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

async function debianTemplate(api: ApiClient): Promise<string> {
  const { items } = await api.request<{ items: { id: string; name: string }[] }>("GET", "/api/v1/templates");
  const t = items.find((x) => x.name === "debian");
  if (!t) throw new Error("no debian template listed at /api/v1/templates");
  return t.id;
}

main().catch((err) => {
  console.error("[chaos] aborted:", err instanceof Error ? err.message : err);
  process.exit(2);
});
