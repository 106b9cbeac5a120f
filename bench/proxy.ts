// Preview proxy overhead: the same work through a preview URL (server/preview.ts: authorization
// on every request from lib/preview/access-cache.ts, http-proxy-3 streaming to the Pod IP) and
// directly to the Pod IP (the floor),
// measured in the same run against test/fixtures/preview-app.cjs in a devbox on the bundled cluster.
//   npm run bench -- proxy [--json] [--n 1000] [--mb 200] [--conns 500] [--level public|team] [--db pglite|postgres]
// Figures: p50/p99 of N small sequential keep-alive requests, a big download's throughput, a
// websocket echo's p50, and C concurrent keep-alive connections (errors counted). Set up like
// the integration tests (throwaway DB, user, team, devbox run by the reconciler). With
// --db pglite (embedded, one process only) the proxy's HTTP server and the client share this
// process's event loop; with --db postgres the proxy runs in a process of its own
// (test/integration/preview-proxy-process.ts), as in production, and the client only in this one.
import "../test/integration/terminal-env";
import http from "node:http";
import os from "node:os";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { findTeamForMember } from "@/lib/teams/queries";
import { changePortLevel } from "@/lib/preview/service";
import { authorizePreview } from "@/lib/authz/preview-access";
import { parseLabel } from "@/lib/preview/host";
import type { PreviewLevel } from "@/db/schema/preview-ports";
import { APP_PORT, loopbackLookup, openPreviewWorld, startPreviewReplica, type PreviewReplica, type PreviewWorld } from "../test/integration/preview-harness";
import { type Benchmark, intOption, option } from "./types";

interface Side {
  small: { p50: number; p99: number; mean: number };
  downloadMBps: number;
  wsEchoP50: number;
  concurrent: { connections: number; requests: number; errors: number; seconds: number };
}

interface Result {
  /** p50 of the authorization alone (part of the proxy's added latency): a lookup in the preview
   *  access cache, which reads nothing on PGlite and the version row on PostgreSQL (lib/preview/access-cache.ts). */
  authorizationP50Ms: number;
  level: PreviewLevel;
  db: "pglite" | "postgres";
  /** The machine's 1/5/15-minute load average when done: figures from a busy machine are not the proxy's. */
  loadAverage: number[];
  cpus: number;
  n: number;
  megabytes: number;
  direct: Side;
  proxy: Side;
  added: { smallP50Ms: number; smallP99Ms: number; wsEchoP50Ms: number };
  ratio: { downloadThroughput: number };
  targets: { addedP50Ms: number; throughputRatio: number; addedWsP50Ms: number; concurrentErrors: number; met: boolean };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Target {
  /** URL base: http://<pod IP>:3000 or the preview origin. */
  base: string;
  headers: Record<string, string>;
}

function get(t: Target, path: string, agent: http.Agent, sink = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${t.base}${path}`, { agent, headers: t.headers, lookup: loopbackLookup as never }, (res) => {
      let n = 0;
      res.on("data", (c: Buffer) => (n += c.length));
      res.on("end", () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on("error", reject);
      if (sink) res.resume();
    });
    req.on("error", reject);
  });
}

async function small(t: Target, n: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 50; i++) await get(t, "/small", agent); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await get(t, "/small", agent);
    samples.push(performance.now() - t0);
  }
  agent.destroy();
  samples.sort((a, b) => a - b);
  return { p50: r3(pct(samples, 50)), p99: r3(pct(samples, 99)), mean: r3(samples.reduce((a, b) => a + b, 0) / n) };
}

async function download(t: Target, mb: number) {
  const agent = new http.Agent({ keepAlive: false });
  const t0 = performance.now();
  const bytes = await get(t, `/big?mb=${mb}`, agent, false);
  const s = (performance.now() - t0) / 1000;
  if (bytes !== mb << 20) throw new Error(`download: ${bytes} bytes`);
  return Math.round((bytes / (1 << 20) / s) * 10) / 10;
}

async function wsEcho(t: Target, n: number) {
  const url = t.base.replace(/^http/, "ws") + "/echo";
  const ws = new WebSocket(url, { headers: t.headers, lookup: loopbackLookup as never, perMessageDeflate: false });
  await new Promise((r, j) => (ws.once("open", r), ws.once("error", j)));
  const once = () => new Promise<void>((r) => (ws.once("message", () => r()), ws.send("ping-0123456789")));
  for (let i = 0; i < 50; i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await once();
    samples.push(performance.now() - t0);
  }
  ws.close();
  samples.sort((a, b) => a - b);
  return r3(pct(samples, 50));
}

/** C keep-alive connections at once, each making `per` requests in turn; every failure counted. */
async function concurrent(t: Target, conns: number, per = 4) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: conns }, async () => {
      for (let i = 0; i < per; i++) await get(t, "/small", agent).catch(() => void errors++);
    }),
  );
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  agent.destroy();
  return { connections: conns, requests: conns * per, errors, seconds };
}

async function measure(t: Target, o: { n: number; mb: number; conns: number }, log: (m: string) => void, name: string): Promise<Side> {
  log(`${name}: ${o.n} small requests`);
  const s = await small(t, o.n);
  log(`${name}: ${o.mb} MB download`);
  const d = await download(t, o.mb);
  log(`${name}: websocket echo`);
  const w = await wsEcho(t, o.n);
  log(`${name}: ${o.conns} concurrent keep-alive connections`);
  const c = await concurrent(t, o.conns);
  return { small: s, downloadMBps: d, wsEchoP50: w, concurrent: c };
}

const bench: Benchmark<Result> = {
  description: "preview URL proxy vs direct to the Pod IP: small-request p50/p99, 200 MB throughput, websocket echo, 500 keep-alive connections",
  async run({ args, log }) {
    const n = intOption(args, "n", 1000);
    const mb = intOption(args, "mb", 200);
    const conns = intOption(args, "conns", 500);
    const level = (option(args, "level") ?? "public") as PreviewLevel;
    // The metadata DB the proxy's per-request authorization reads: PGlite (embedded, the default
    // install) or PostgreSQL (TEST_DATABASE_URL, e.g. from scripts/postgres.sh).
    const backend = (option(args, "db") ?? "pglite") as "pglite" | "postgres";
    log("setting up: devbox with the fixture app on the bundled cluster…");
    let w: PreviewWorld | undefined;
    let replica: PreviewReplica | undefined;
    try {
      w = await openPreviewWorld({ backend });
      await changePortLevel(w.db, w.owner, (await findTeamForMember(w.db, w.team.slug, w.owner.id))!, w.devbox, APP_PORT, level);
      const direct: Target = { base: `http://${w.podIP}:${APP_PORT}`, headers: {} };
      let origin = w.origin;
      if (backend === "postgres") {
        // Like production: the proxy in its own process (its own event loop), not the client's.
        log("starting the proxy in a process of its own");
        replica = await startPreviewReplica(w.world.url!);
        origin = `http://${w.label}.localhost:${replica.port}`;
      }
      const proxy: Target = { base: origin, headers: level === "public" ? {} : { cookie: w.appsCookie(w.owner) } };
      const o = { n, mb, conns };
      // Alternate order would need two world set-ups; the floor is measured first, then the proxy, same process.
      const d = await measure(direct, o, log, "direct");
      const p = await measure(proxy, o, log, "proxy");
      // The split of the added latency: the per-request authorization alone (cached facts, version check).
      log("authorization alone");
      const target = parseLabel(w.label)!;
      const authz: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await authorizePreview(w.db, target, { session: level === "public" ? null : { userId: w.owner.id, sessionVersion: w.owner.sessionVersion }, linkId: null });
        authz.push(performance.now() - t0);
      }
      authz.sort((a, b) => a - b);
      const authorizationP50Ms = r3(pct(authz, 50));
      const added = { smallP50Ms: r3(p.small.p50 - d.small.p50), smallP99Ms: r3(p.small.p99 - d.small.p99), wsEchoP50Ms: r3(p.wsEchoP50 - d.wsEchoP50) };
      const ratio = { downloadThroughput: Math.round((p.downloadMBps / d.downloadMBps) * 1000) / 1000 };
      const targets = { addedP50Ms: 1, throughputRatio: 0.9, addedWsP50Ms: 1, concurrentErrors: 0, met: false };
      targets.met = added.smallP50Ms <= 1 && ratio.downloadThroughput >= 0.9 && added.wsEchoP50Ms <= 1 && p.concurrent.errors === 0 && d.concurrent.errors === 0;
      return { authorizationP50Ms, level, db: backend, loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10), cpus: os.cpus().length, n, megabytes: mb, direct: d, proxy: p, added, ratio, targets };
    } finally {
      replica?.stop();
      await w?.close();
    }
  },
  format(r) {
    const row = (name: string, s: Side) =>
      `${name.padEnd(8)} small p50 ${s.small.p50} ms  p99 ${s.small.p99} ms | ${r.megabytes} MB ${s.downloadMBps} MB/s | ws echo p50 ${s.wsEchoP50} ms | ${s.concurrent.connections} conns × 4: ${s.concurrent.errors} errors in ${s.concurrent.seconds} s`;
    return [
      `preview proxy (level ${r.level}, metadata DB ${r.db}) vs direct to the Pod IP, ${r.n} requests`,
      row("direct", r.direct),
      row("proxy", r.proxy),
      `authorization alone (cached facts; version row read on PostgreSQL): p50 ${r.authorizationP50Ms} ms (${r.db})`,
      `added: small p50 ${r.added.smallP50Ms} ms, p99 ${r.added.smallP99Ms} ms; ws echo p50 ${r.added.wsEchoP50Ms} ms; throughput ratio ${r.ratio.downloadThroughput}`,
      `machine: ${r.cpus} CPUs, load average ${r.loadAverage.join(" / ")}`,
      `targets (added p50 ≤ 1 ms, throughput ≥ 90%, ws added ≤ 1 ms, 0 errors): ${r.targets.met ? "met" : "NOT met"}`,
    ].join("\n");
  },
};

export default bench;
