// Preview proxy overhead: the same work through a preview URL (server/preview.ts: authorization
// on every request from lib/preview/access-cache.ts, http-proxy-3 streaming to the Pod IP) and
// directly to the Pod IP (the floor), measured in the same run against test/fixtures/preview-app.cjs
// in a devbox on the bundled cluster.
//   npm run bench -- proxy [--json] [--n 1000] [--mb 200] [--rounds 5] [--conns 500] [--level public|team] [--db pglite|postgres] [--profile file.cpuprofile] [--heap tuned|v8]
// Figures: p50/p99 of N small sequential keep-alive requests, a big download's throughput, a
// websocket echo's p50, and C concurrent keep-alive connections (errors counted).
//
// The shape is production's: the proxy runs in this process (set up like the integration tests:
// throwaway DB, reconciler, Pod watch, the preview handlers on an HTTP server, no Next.js), the
// client in a process of its own (bench/_proxy-client.ts), so the two never share an event loop
// or a CPU's time slices. Both the floor and the proxy are measured by that same client.
//
// The download is noisy on the shared 2-CPU machine (one figure moves 2× with the load of the
// moment), so it runs in interleaved rounds (direct, proxy, direct, proxy, …) after a warm-up
// of each: every sample is reported, the target is the ratio of the medians. The load-independent
// figure is the proxy process's CPU time per download (process.cpuUsage() around it), beside
// the same process's CPU during the direct downloads (its background: reconciler, Pod watch).
// --heap v8: without server.ts's heap setting (server/heap-tuning.ts), to see what it changes.
// --profile: after the measured rounds, 3 more downloads through the proxy under the V8 profiler
// (this process: the proxy's), written to the file, with its top self-time entries in the result.
import "../test/integration/terminal-env";
import { fork, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { constants as perfConstants, performance, PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { findTeamForMember } from "@/lib/teams/queries";
import { changePortLevel } from "@/lib/preview/service";
import { authorizePreview } from "@/lib/authz/preview-access";
import { parseLabel } from "@/lib/preview/host";
import type { PreviewLevel } from "@/db/schema/preview-ports";
import { tuneHeapForStreaming } from "@/server/heap-tuning";
import { APP_PORT, openPreviewWorld, type PreviewWorld } from "../test/integration/preview-harness";
import type { ConcurrentResult, DownloadResult, Job, SmallResult, Target } from "./_proxy-client";
import { profileWhile, topSelfTime, type SelfTime } from "./_cpu-profile";
import { startSocatRelay, type SocatRelay } from "./_socat-relay";
import { type Benchmark, intOption, option, percentile } from "./types";

interface Side {
  small: SmallResult;
  wsEchoP50: number;
  concurrent: ConcurrentResult;
}

interface DownloadSide {
  /** MB/s of each round, in order. */
  samples: number[];
  medianMBps: number;
  /** CPU seconds of the client process per download (median): the same client for both sides. */
  clientCpuSeconds: number;
}

interface Result {
  /** p50 of the authorization alone (part of the proxy's added latency): a lookup in the preview
   *  access cache, which reads nothing on PGlite and the version row on PostgreSQL (lib/preview/access-cache.ts). */
  authorizationP50Ms: number;
  level: PreviewLevel;
  db: "pglite" | "postgres";
  /** tuned: server/heap-tuning.ts applied, as in server.ts; v8: V8's own heap growth. */
  heap: "tuned" | "v8";
  /** The machine's 1/5/15-minute load average at the start and the end: figures from a busy machine are not the proxy's. */
  loadAverage: { start: number[]; end: number[] };
  cpus: number;
  n: number;
  megabytes: number;
  rounds: number;
  direct: Side;
  proxy: Side;
  download: {
    direct: DownloadSide;
    /** The same download through a socat process (bench/_socat-relay.ts): the cheapest relay. */
    socatRelay: DownloadSide;
    proxy: DownloadSide;
    /** Median MB/s through the proxy / median MB/s direct. */
    ratioOfMedians: number;
    /** Median MB/s through socat / median MB/s direct: what one relay process costs here at least. */
    socatRatioOfMedians: number;
    /** socat's CPU seconds per 200 MB through it (median): the per-byte cost to read the proxy's against. */
    socatCpuSecondsPer200MB: number;
    /** CPU seconds of the proxy's process per download through it (each round, and the median), user + system. */
    proxyCpuSeconds: { samples: number[]; median: number; user: number; system: number };
    /** The same process's CPU seconds during each direct download (its work unrelated to the download). */
    proxyProcessBackgroundCpuSeconds: number;
    /** The proxy's CPU cost per 200 MB (median, background not subtracted). */
    proxyCpuSecondsPer200MB: number;
    /** Garbage collections in the proxy's process per download through it (each round). */
    proxyGc: { major: number[]; minor: number[] };
  };
  added: { smallP50Ms: number; smallP99Ms: number; wsEchoP50Ms: number };
  targets: { addedP50Ms: number; throughputRatio: number; addedWsP50Ms: number; concurrentErrors: number; met: boolean };
  /** With --profile: the proxy process over 3 more proxied downloads (not counted above: the profiler slows it). */
  profile?: { file: string; downloads: number; busyMs: number; idleMs: number; top: SelfTime[] };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The client process (bench/_proxy-client.ts): one job at a time over IPC. */
class Client {
  private next = 1;
  private waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private constructor(private readonly child: ChildProcess) {
    child.on("message", (m: { id?: number; result?: unknown; error?: string }) => {
      const w = m.id !== undefined ? this.waiting.get(m.id) : undefined;
      if (!w) return;
      this.waiting.delete(m.id!);
      if (m.error !== undefined) w.reject(new Error(`client: ${m.error}`));
      else w.resolve(m.result);
    });
    child.once("exit", (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`client process exited (${code})`));
      this.waiting.clear();
    });
  }

  static start(): Promise<Client> {
    const child = fork(path.join(import.meta.dirname, "_proxy-client.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    return new Promise((resolve, reject) => {
      child.once("message", () => resolve(new Client(child)));
      child.once("exit", (code) => reject(new Error(`client process exited (${code}) before it was ready`)));
    });
  }

  run<T>(job: Job): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, job });
    });
  }

  stop(): void {
    this.child.disconnect();
  }
}

/**
 * This process's garbage collections, kept to be counted per download: a major one marks the
 * whole heap (on helper threads too), so their number explains much of the CPU a download costs.
 */
class GcLog {
  private entries: PerformanceEntry[] = [];
  private readonly observer = new PerformanceObserver((list) => void this.entries.push(...list.getEntries()));
  start(): void {
    this.observer.observe({ entryTypes: ["gc"] });
  }
  stop(): void {
    this.observer.disconnect();
  }
  /** Major and minor collections that started within [from, to] (performance.now() times). */
  async between(from: number, to: number): Promise<{ major: number; minor: number }> {
    await new Promise((r) => setImmediate(r)); // entries are delivered asynchronously
    const inside = this.entries.filter((e) => e.startTime >= from && e.startTime <= to);
    this.entries = this.entries.filter((e) => e.startTime > to);
    const kind = (e: PerformanceEntry) => (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    return {
      major: inside.filter((e) => kind(e) === perfConstants.NODE_PERFORMANCE_GC_MAJOR).length,
      minor: inside.filter((e) => kind(e) === perfConstants.NODE_PERFORMANCE_GC_MINOR).length,
    };
  }
}

/** A download by the client, with this process's (the proxy's) CPU time and collections over it, and socat's CPU over it. */
async function timedDownload(client: Client, target: Target, mb: number, gc: GcLog, relay: SocatRelay) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const socat0 = relay.cpuSeconds();
  const d = await client.run<DownloadResult>({ kind: "download", target, mb });
  const cpu = process.cpuUsage(cpu0);
  return { ...d, serverCpu: { user: cpu.user / 1e6, system: cpu.system / 1e6 }, socatCpu: relay.cpuSeconds() - socat0, gc: await gc.between(t0, performance.now()) };
}

async function side(client: Client, target: Target, o: { n: number; conns: number }, log: (m: string) => void, name: string): Promise<Side> {
  log(`${name}: ${o.n} small requests`);
  const small = await client.run<SmallResult>({ kind: "small", target, n: o.n });
  log(`${name}: websocket echo`);
  const wsEchoP50 = await client.run<number>({ kind: "ws", target, n: o.n });
  log(`${name}: ${o.conns} concurrent keep-alive connections`);
  const concurrent = await client.run<ConcurrentResult>({ kind: "concurrent", target, conns: o.conns, per: 4 });
  return { small, wsEchoP50, concurrent };
}

const bench: Benchmark<Result> = {
  description: "preview URL proxy vs direct to the Pod IP: small-request p50/p99, 200 MB throughput (interleaved rounds, proxy CPU per download), websocket echo, 500 keep-alive connections",
  async run({ args, log }) {
    const n = intOption(args, "n", 1000);
    const mb = intOption(args, "mb", 200);
    const rounds = intOption(args, "rounds", 5);
    const conns = intOption(args, "conns", 500);
    const level = (option(args, "level") ?? "public") as PreviewLevel;
    // The metadata DB the proxy's per-request authorization reads: PGlite (embedded, the default
    // install) or PostgreSQL (TEST_DATABASE_URL, e.g. from scripts/postgres.sh).
    const backend = (option(args, "db") ?? "pglite") as "pglite" | "postgres";
    const profileFile = option(args, "profile");
    // This process stands in for the dashboard's (server.ts): the same heap setting.
    const heap = (option(args, "heap") ?? "tuned") as "tuned" | "v8";
    if (heap !== "tuned" && heap !== "v8") throw new Error("--heap must be tuned or v8");
    if (heap === "tuned") tuneHeapForStreaming();
    const loadAtStart = load();
    log("setting up: devbox with the fixture app on the bundled cluster…");
    let w: PreviewWorld | undefined;
    let client: Client | undefined;
    let relay: SocatRelay | undefined;
    try {
      w = await openPreviewWorld({ backend });
      await changePortLevel(w.db, w.owner, (await findTeamForMember(w.db, w.team.slug, w.owner.id))!, w.devbox, APP_PORT, level);
      client = await Client.start();
      const direct: Target = { base: `http://${w.podIP}:${APP_PORT}`, headers: {} };
      // The reference: the same download through the cheapest relay process there is (socat: no
      // HTTP, read and write with 256 KiB buffers), to read the proxy's figure against.
      relay = await startSocatRelay(w.podIP, APP_PORT);
      const relayed: Target = { base: `http://127.0.0.1:${relay.port}`, headers: {} };
      const proxy: Target = { base: w.origin, headers: level === "public" ? {} : { cookie: w.appsCookie(w.owner) } };

      const d = await side(client, direct, { n, conns }, log, "direct");
      const p = await side(client, proxy, { n, conns }, log, "proxy");

      log(`${mb} MB download: warm-up, then ${rounds} interleaved rounds (direct, socat relay, proxy)`);
      const gc = new GcLog();
      gc.start();
      await timedDownload(client, direct, mb, gc, relay);
      await timedDownload(client, relayed, mb, gc, relay);
      await timedDownload(client, proxy, mb, gc, relay);
      const dl = { direct: [] as Awaited<ReturnType<typeof timedDownload>>[], relay: [] as Awaited<ReturnType<typeof timedDownload>>[], proxy: [] as Awaited<ReturnType<typeof timedDownload>>[] };
      for (let i = 0; i < rounds; i++) {
        dl.direct.push(await timedDownload(client, direct, mb, gc, relay));
        dl.relay.push(await timedDownload(client, relayed, mb, gc, relay));
        dl.proxy.push(await timedDownload(client, proxy, mb, gc, relay));
        const q = dl.proxy[i];
        log(`  round ${i + 1}: direct ${dl.direct[i].mbps} MB/s, socat ${dl.relay[i].mbps} MB/s, proxy ${q.mbps} MB/s (proxy process ${r3(q.serverCpu.user + q.serverCpu.system)} CPU s, ${q.gc.major} major / ${q.gc.minor} minor GCs)`);
      }
      gc.stop();
      const median1 = (xs: number[]) => Math.round(median(xs) * 10) / 10;
      const dside = (xs: typeof dl.direct): DownloadSide => ({ samples: xs.map((x) => x.mbps), medianMBps: median1(xs.map((x) => x.mbps)), clientCpuSeconds: r3(median(xs.map((x) => x.clientCpuSeconds))) });
      const cpuOf = (x: (typeof dl.direct)[number]) => x.serverCpu.user + x.serverCpu.system;
      const proxyCpu = dl.proxy.map(cpuOf);
      const download: Result["download"] = {
        direct: dside(dl.direct),
        socatRelay: dside(dl.relay),
        proxy: dside(dl.proxy),
        ratioOfMedians: 0,
        socatRatioOfMedians: 0,
        socatCpuSecondsPer200MB: 0,
        proxyCpuSeconds: { samples: proxyCpu.map(r3), median: r3(median(proxyCpu)), user: r3(median(dl.proxy.map((x) => x.serverCpu.user))), system: r3(median(dl.proxy.map((x) => x.serverCpu.system))) },
        proxyProcessBackgroundCpuSeconds: r3(median(dl.direct.map(cpuOf))),
        proxyCpuSecondsPer200MB: r3((median(proxyCpu) * 200) / mb),
        proxyGc: { major: dl.proxy.map((x) => x.gc.major), minor: dl.proxy.map((x) => x.gc.minor) },
      };
      download.ratioOfMedians = r3(download.proxy.medianMBps / download.direct.medianMBps);
      download.socatRatioOfMedians = r3(download.socatRelay.medianMBps / download.direct.medianMBps);
      download.socatCpuSecondsPer200MB = r3((median(dl.relay.map((x) => x.socatCpu)) * 200) / mb);

      let profile: Result["profile"];
      if (profileFile) {
        log(`profiling the proxy process over 3 downloads through it → ${profileFile}`);
        const { profile: cpuProfile } = await profileWhile(profileFile, async () => {
          for (let i = 0; i < 3; i++) await client!.run<DownloadResult>({ kind: "download", target: proxy, mb });
        });
        profile = { file: profileFile, downloads: 3, ...topSelfTime(cpuProfile, 15) };
      }

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
      const authorizationP50Ms = r3(percentile(authz, 50));
      const added = { smallP50Ms: r3(p.small.p50 - d.small.p50), smallP99Ms: r3(p.small.p99 - d.small.p99), wsEchoP50Ms: r3(p.wsEchoP50 - d.wsEchoP50) };
      const targets = { addedP50Ms: 1, throughputRatio: 0.9, addedWsP50Ms: 1, concurrentErrors: 0, met: false };
      targets.met = added.smallP50Ms <= 1 && download.ratioOfMedians >= 0.9 && added.wsEchoP50Ms <= 1 && p.concurrent.errors === 0 && d.concurrent.errors === 0;
      return { authorizationP50Ms, level, db: backend, heap, loadAverage: { start: loadAtStart, end: load() }, cpus: os.cpus().length, n, megabytes: mb, rounds, direct: d, proxy: p, download, added, targets, profile };
    } finally {
      client?.stop();
      relay?.stop();
      await w?.close();
    }
  },
  format(r) {
    const row = (name: string, s: Side) =>
      `${name.padEnd(8)} small p50 ${s.small.p50} ms  p99 ${s.small.p99} ms | ws echo p50 ${s.wsEchoP50} ms | ${s.concurrent.connections} conns × 4: ${s.concurrent.errors} errors in ${s.concurrent.seconds} s`;
    const dl = r.download;
    return [
      `preview proxy (level ${r.level}, metadata DB ${r.db}, heap ${r.heap}; proxy in the bench process, client in its own) vs direct to the Pod IP, ${r.n} requests`,
      row("direct", r.direct),
      row("proxy", r.proxy),
      `${r.megabytes} MB download, ${r.rounds} interleaved rounds (MB/s): direct ${dl.direct.samples.join(" ")} (median ${dl.direct.medianMBps}); proxy ${dl.proxy.samples.join(" ")} (median ${dl.proxy.medianMBps}); ratio of medians ${dl.ratioOfMedians}`,
      `reference, the same download through one socat relay process: ${dl.socatRelay.samples.join(" ")} (median ${dl.socatRelay.medianMBps}); ratio of medians ${dl.socatRatioOfMedians}; socat's CPU ${dl.socatCpuSecondsPer200MB} s per 200 MB`,
      `proxy process CPU per download: ${dl.proxyCpuSeconds.samples.join(" ")} s (median ${dl.proxyCpuSeconds.median}: user ${dl.proxyCpuSeconds.user}, system ${dl.proxyCpuSeconds.system}) = ${dl.proxyCpuSecondsPer200MB} s per 200 MB; same process during a direct download ${dl.proxyProcessBackgroundCpuSeconds} s; its major GCs per proxied download ${dl.proxyGc.major.join(" ")} (minor ${dl.proxyGc.minor.join(" ")}); client CPU per download: direct ${dl.direct.clientCpuSeconds} s, proxy ${dl.proxy.clientCpuSeconds} s`,
      `authorization alone (cached facts; version row read on PostgreSQL): p50 ${r.authorizationP50Ms} ms (${r.db})`,
      `added: small p50 ${r.added.smallP50Ms} ms, p99 ${r.added.smallP99Ms} ms; ws echo p50 ${r.added.wsEchoP50Ms} ms; download ratio of medians ${dl.ratioOfMedians}`,
      `machine: ${r.cpus} CPUs, load average ${r.loadAverage.start.join(" / ")} at the start, ${r.loadAverage.end.join(" / ")} at the end`,
      `targets (added p50 ≤ 1 ms, throughput ≥ 90%, ws added ≤ 1 ms, 0 errors): ${r.targets.met ? "met" : "NOT met"}`,
      ...(r.profile
        ? [
            `proxy process profile over ${r.profile.downloads} downloads (${r.profile.file}): busy ${r.profile.busyMs} ms, idle ${r.profile.idleMs} ms; top self time:`,
            ...r.profile.top.map((t) => `  ${String(t.ms).padStart(8)} ms ${String(t.percentOfBusy).padStart(5)}%  ${t.entry}`),
          ]
        : []),
    ].join("\n");
  },
};

export default bench;
