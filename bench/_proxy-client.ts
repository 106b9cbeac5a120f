// The load of bench/proxy.ts, in a process of its own (not a benchmark: leading "_"): the proxy
// under test runs in the bench's process, as the dashboard does in production, and this client
// must not share its event loop (or its CPU time) with it. Driven over IPC, one job at a time:
//   { id, job: { kind: "small" | "download" | "ws" | "concurrent", target, … } } → { id, result } | { id, error }
import http from "node:http";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { loopbackLookup } from "../test/integration/loopback-lookup";
import { percentile } from "./types";

export interface Target {
  /** URL base: http://<pod IP>:3000 or the preview origin. */
  base: string;
  headers: Record<string, string>;
}

export type Job =
  | { kind: "small"; target: Target; n: number }
  | { kind: "download"; target: Target; mb: number }
  | { kind: "ws"; target: Target; n: number }
  | { kind: "concurrent"; target: Target; conns: number; per: number };

export interface SmallResult {
  p50: number;
  p99: number;
  mean: number;
}

export interface DownloadResult {
  bytes: number;
  seconds: number;
  mbps: number;
  /** CPU seconds this client used for the download (user + system). */
  clientCpuSeconds: number;
}

export interface ConcurrentResult {
  connections: number;
  requests: number;
  errors: number;
  seconds: number;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** One GET; resolves with the body's length (counted, not kept). */
function get(t: Target, path: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${t.base}${path}`, { agent, headers: t.headers, lookup: loopbackLookup as never }, (res) => {
      let n = 0;
      res.on("data", (c: Buffer) => (n += c.length));
      res.on("end", () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`HTTP ${res.statusCode} for ${path}`))));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

async function small(t: Target, n: number): Promise<SmallResult> {
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
  return { p50: r3(percentile(samples, 50)), p99: r3(percentile(samples, 99)), mean: r3(samples.reduce((a, b) => a + b, 0) / n) };
}

/** A new connection per download (as a browser's first big fetch), the body counted as it streams. */
async function download(t: Target, mb: number): Promise<DownloadResult> {
  const agent = new http.Agent({ keepAlive: false });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const bytes = await get(t, `/big?mb=${mb}`, agent);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (bytes !== mb * (1 << 20)) throw new Error(`download: ${bytes} bytes, expected ${mb} MiB`);
  return { bytes, seconds: r3(seconds), mbps: Math.round((bytes / (1 << 20) / seconds) * 10) / 10, clientCpuSeconds: r3((cpu.user + cpu.system) / 1e6) };
}

async function wsEcho(t: Target, n: number): Promise<number> {
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
  return r3(percentile(samples, 50));
}

/** C keep-alive connections at once, each making `per` requests in turn; every failure counted. */
async function concurrent(t: Target, conns: number, per: number): Promise<ConcurrentResult> {
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

function run(job: Job): Promise<unknown> {
  switch (job.kind) {
    case "small":
      return small(job.target, job.n);
    case "download":
      return download(job.target, job.mb);
    case "ws":
      return wsEcho(job.target, job.n);
    case "concurrent":
      return concurrent(job.target, job.conns, job.per);
  }
}

if (process.send) {
  process.on("message", (m: { id: number; job: Job }) => {
    run(m.job).then(
      (result) => process.send!({ id: m.id, result }),
      (err: unknown) => process.send!({ id: m.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.on("disconnect", () => process.exit(0));
  process.send({ ready: true });
}
