// Terminal bridge overhead: keystroke echo latency and bulk throughput through the dashboard's
// websocket bridge (server/ws/terminal.ts, as the browser uses it, acks included) versus a
// direct client-node Exec to the same Pod with the same shell (the floor).
//   npm run bench -- terminal [--json] [--n 1000] [--mb 200]
// Sets up like the integration tests: a throwaway metadata DB, a user, a devbox created through
// the service and run by the reconciler on the bundled cluster, and the endpoint on an HTTP
// server in this process (no Next.js). Client and server share this process's event loop.
import "../test/integration/terminal-env";
import { performance } from "node:perf_hooks";
import { PassThrough, Writable } from "node:stream";
import { Exec } from "@kubernetes/client-node";
import { announceDevboxChange } from "@/lib/devboxes/change-bus";
import { CONTAINER_NAME, podName } from "@/lib/devboxes/k8s-objects";
import { createDevbox } from "@/lib/devboxes/service";
import { randomSuffix } from "@/lib/ids";
import { kubeConfig } from "@/lib/k8s/config";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { Reconciler } from "@/lib/reconciler/controller";
import { listTeamsForUser } from "@/lib/teams/queries";
import { shellCommand } from "@/lib/terminal/exec";
import { TerminalClient } from "@/lib/terminal/node-client";
import { terminalPath } from "@/lib/terminal/protocol";
import { terminalRegistry } from "@/lib/terminal/registry";
import { listTemplates, seedBuiltinTemplates } from "@/lib/templates/queries";
import { registerUser } from "@/lib/users/register";
import { adminCore, eventually, waitForState } from "../test/integration/devbox-harness";
import { installTestDatabase, sessionCookie, startWsServer } from "../test/integration/terminal-harness";
import { type Benchmark, intOption, percentile } from "./types";

interface Latency {
  p50: number;
  p99: number;
  mean: number;
}
interface Side {
  latencyMs: Latency;
  throughputMBps: number;
  bytes: number;
}
interface Result {
  roundTrips: number;
  megabytes: number;
  bridge: Side;
  direct: Side;
  added: { p50Ms: number; p99Ms: number };
  ratio: { latencyP50: number; throughput: number };
  targets: { addedP50Ms: number; throughputRatio: number; met: boolean };
  protocol: string;
}

/** A shell connection either side: write bytes, get output chunks. */
interface Pipe {
  write(s: string): void;
  onData(cb: (chunk: Buffer) => void): void;
  close(): void;
  /** Rejects if the connection ends before the measurement does. */
  ended: Promise<never>;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Waits until the output (as it streams) contains `marker`; resolves with bytes seen. */
function until(pipe: Pipe & { listeners: Set<(c: Buffer) => void> }, marker: string): Promise<number> {
  return new Promise((resolve) => {
    let tail = "";
    let bytes = 0;
    const fn = (c: Buffer) => {
      bytes += c.length;
      const text = tail + c.toString("latin1");
      if (text.includes(marker)) {
        pipe.listeners.delete(fn);
        resolve(bytes);
      }
      tail = text.slice(-marker.length);
    };
    pipe.listeners.add(fn);
  });
}

function withListeners(p: Pipe): Pipe & { listeners: Set<(c: Buffer) => void> } {
  const listeners = new Set<(c: Buffer) => void>();
  p.onData((c) => listeners.forEach((l) => l(c)));
  return Object.assign(p, { listeners });
}

async function measure(p: Pipe & { listeners: Set<(c: Buffer) => void> }, n: number, mb: number, log: (m: string) => void, label: string): Promise<Side> {
  return Promise.race([p.ended, measureOn(p, n, mb, log, label)]);
}

async function measureOn(p: Pipe & { listeners: Set<(c: Buffer) => void> }, n: number, mb: number, log: (m: string) => void, label: string): Promise<Side> {
  const debug = process.env.BENCH_DEBUG ? (m: string) => log(`    [${label}] ${m}`) : () => {};
  if (process.env.BENCH_DEBUG) p.listeners.add((c) => debug(`<- ${JSON.stringify(c.toString("latin1").slice(0, 80))}`));
  p.write("echo ready-$((40+2))\r");
  await until(p, "ready-42");
  debug("shell ready");
  // Raw mode, no echo, `cat`: each byte sent comes back as exactly one byte once it has been
  // through the TTY and a process in the container, i.e. a keystroke echo.
  // `isig` back on so ^C ends cat afterwards.
  p.write("stty raw -echo isig; cat; stty sane\r");
  // Wait until cat is reading: probe until a byte comes back.
  await new Promise<void>((resolve) => {
    const fn = (c: Buffer) => {
      if (c.includes(0x2e)) {
        p.listeners.delete(fn);
        clearInterval(t);
        resolve();
      }
    };
    p.listeners.add(fn);
    const t = setInterval(() => p.write("."), 200);
  });
  const samples: number[] = [];
  for (let i = 0; i < n + 50; i++) {
    const got = new Promise<void>((resolve) => {
      const fn = (c: Buffer) => {
        if (c.includes(0x61)) {
          p.listeners.delete(fn);
          resolve();
        }
      };
      p.listeners.add(fn);
    });
    const t0 = performance.now();
    p.write("a");
    await got;
    if (i >= 50) samples.push(performance.now() - t0);
  }
  p.write("\x03");
  // ^C flushes pending input: repeat the marker command until the shell answers.
  const back = until(p, "back-25");
  const again = setInterval(() => p.write("echo back-$((5*5))\r"), 300);
  await back.finally(() => clearInterval(again));
  samples.sort((a, b) => a - b);
  log(`  ${label}: latency p50 ${r3(percentile(samples, 50))} ms, p99 ${r3(percentile(samples, 99))} ms`);

  const t0 = performance.now();
  p.write(`head -c ${mb}M /dev/zero | base64; echo done-$((6*7))\r`);
  const bytes = await until(p, "done-42");
  const secs = (performance.now() - t0) / 1000;
  const throughput = bytes / 1e6 / secs;
  log(`  ${label}: ${(bytes / 1e6).toFixed(0)} MB in ${secs.toFixed(2)} s = ${throughput.toFixed(1)} MB/s`);
  return { latencyMs: { p50: r3(percentile(samples, 50)), p99: r3(percentile(samples, 99)), mean: r3(samples.reduce((a, b) => a + b, 0) / samples.length) }, throughputMBps: Math.round(throughput * 10) / 10, bytes };
}

const benchmark: Benchmark<Result> = {
  description: "Terminal: keystroke echo latency and bulk throughput, dashboard bridge vs direct exec",

  async run({ args, log }) {
    const n = intOption(args, "n", 1000);
    const mb = intOption(args, "mb", 200);
    const { db, close } = await installTestDatabase();
    await seedBuiltinTemplates(db);
    const templateId = (await listTemplates(db)).find((t) => t.name === "debian")!.id;
    const user = await registerUser(db, { email: `bench-${randomSuffix()}@example.com`, password: "correct horse 7" });
    const [team] = await listTeamsForUser(db, user.id);
    const pods = devboxPodCache();
    pods.on("change", (id: string) => announceDevboxChange(id));
    pods.start();
    const reconciler = new Reconciler(db, pods);
    await reconciler.start();
    const { server, origin, wsBase } = await startWsServer();
    // Interrupted: still remove the devbox's namespace.
    const onSignal = (sig: NodeJS.Signals) => {
      log(`${sig}: cleaning up`);
      void adminCore.deleteNamespace({ name: team.namespace }).catch(() => {}).finally(() => process.exit(130));
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      await eventually("leadership", async () => (reconciler.isLeader ? true : undefined), 30_000);
      log("creating a devbox (1 CPU, 1 GiB)…");
      await createDevbox(db, team, user.id, { name: "bench", templateId, cpuMillis: 1000, memoryMiB: 1024, diskMiB: 2048 });
      const { devbox } = await waitForState(db, team, "bench", "Running");
      const pod = podName(devbox!);

      log("bridge (browser protocol through the dashboard's websocket endpoint):");
      const client = TerminalClient.connect(`${wsBase}${terminalPath(team.slug, "bench", `bench-${randomSuffix()}`)}`, { cookie: await sessionCookie(user.id), origin, keep: 4096 });
      await client.waitForMessage("session");
      const bridgePipe = withListeners({
        write: (s) => client.send(s),
        onData: (cb) => (client.onData = cb),
        close: () => client.control({ type: "close" }),
        ended: client.closed.then((c) => Promise.reject(new Error(`bridge closed: ${c.code} ${c.reason}`))),
      });
      const bridge = await measure(bridgePipe, n, mb, log, "bridge");
      bridgePipe.close();

      log("direct client-node Exec (floor):");
      const stdin = new PassThrough();
      let sink: (c: Buffer) => void = () => {};
      const stdout = new Writable({
        write(chunk: Buffer, _e, cb) {
          sink(chunk);
          cb();
        },
      });
      const conn = await new Exec(kubeConfig()).exec(team.namespace, pod, CONTAINER_NAME, shellCommand(devbox!.workingDir, devbox!.user), stdout, null, stdin, true);
      const directPipe = withListeners({
        write: (s) => stdin.write(s),
        onData: (cb) => (sink = cb),
        close: () => conn.close(),
        ended: new Promise<never>((_, reject) => conn.on("close", () => reject(new Error("direct exec closed")))),
      });
      const direct = await measure(directPipe, n, mb, log, "direct");
      directPipe.close();

      const addedP50 = r3(bridge.latencyMs.p50 - direct.latencyMs.p50);
      const ratioTp = Math.round((bridge.throughputMBps / direct.throughputMBps) * 1000) / 1000;
      return {
        roundTrips: n,
        megabytes: mb,
        bridge,
        direct,
        added: { p50Ms: addedP50, p99Ms: r3(bridge.latencyMs.p99 - direct.latencyMs.p99) },
        ratio: { latencyP50: r3(bridge.latencyMs.p50 / direct.latencyMs.p50), throughput: ratioTp },
        targets: { addedP50Ms: 2, throughputRatio: 0.8, met: addedP50 <= 2 && ratioTp >= 0.8 },
        protocol: conn.protocol,
      };
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      terminalRegistry().closeAll();
      server.close();
      await reconciler.stop();
      await pods.stop();
      await adminCore.deleteNamespace({ name: team.namespace }).catch(() => {});
      await close();
    }
  },

  format(r) {
    const row = (name: string, s: Side) => `  ${name.padEnd(8)} ${String(s.latencyMs.p50).padStart(8)} ${String(s.latencyMs.p99).padStart(8)} ${String(s.throughputMBps).padStart(10)}`;
    return [
      `terminal bridge vs direct exec (${r.roundTrips} single-byte round trips; head -c ${r.megabytes}M /dev/zero | base64; exec protocol ${r.protocol})`,
      `  ${"".padEnd(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"MB/s".padStart(10)}`,
      row("bridge", r.bridge),
      row("direct", r.direct),
      `  added latency: p50 ${r.added.p50Ms} ms, p99 ${r.added.p99Ms} ms (target p50 <= ${r.targets.addedP50Ms} ms)`,
      `  throughput ratio: ${r.ratio.throughput} of the floor (target >= ${r.targets.throughputRatio})`,
      `  targets ${r.targets.met ? "met" : "NOT met"}`,
    ].join("\n");
  },
};

export default benchmark;
