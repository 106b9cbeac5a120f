// SSH through the dashboard (devbox ssh --stdio ProxyCommand → SSH websocket → Kubernetes
// port-forward → the devbox's sshd) versus the floor measured in the same run: the same OpenSSH
// client straight to the Pod IP's sshd (same key, same host key check).
//   npm run bench -- ssh [--json] [--n 1000] [--mb 200] [--scps 3] [--connects 10] [--cli bin|bundle|tsx]
// Both transports of the dashboard path are measured in the same run (lib/ssh/tunnel.ts).
// Targets (issue 13): 1,000 single-byte echoes added p50 ≤ 2 ms; scp of 200 MB ≥ 80% of the floor's
// throughput; `ssh box true` ≤ 1.5× the floor's connection time. The copies and the connects are
// interleaved rounds (the median counts): on the shared 2-CPU machine one copy's figure moves 2–3×
// with the load of the moment.
// The dashboard side runs in this process like the integration tests (throwaway metadata DB,
// reconciler, the websocket endpoint on an HTTP server, no Next.js). The ProxyCommand is what
// config-ssh writes, `node cli/devbox.mjs ssh --stdio %h`, with its cached bundle of
// cli/ssh-stdio.ts built (cli/ssh-stdio-cache.mjs: what every connection after the first runs);
// `--cli tsx` turns that cache off (the bin under tsx), `--cli bundle` runs the whole CLI bundled.
// Per-byte cost, which the machine's load does not move much: the CPU seconds each scp costs the
// dashboard (this process: process.cpuUsage, and its GC pauses) and the ProxyCommand (its
// /proc/<pid>/stat as its parent shell saw it after waiting for it), and, shared with whatever
// else runs on the machine, the cluster's kube-apiserver, kubelet and containerd.
import "../test/integration/ssh-env";
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import os from "node:os";
import path from "node:path";
import { constants as perfConstants, performance, PerformanceObserver } from "node:perf_hooks";
import { promisify } from "node:util";
import WebSocket from "ws";
import { podName } from "@/lib/devboxes/k8s-objects";
import { createDevbox } from "@/lib/devboxes/service";
import { randomSuffix } from "@/lib/ids";
import { kubeConfig } from "@/lib/k8s/config";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { listSshHosts } from "@/lib/ssh/hosts";
import { sshPath } from "@/lib/ssh/protocol";
import { addSshKey } from "@/lib/ssh/user-keys";
import { listTeamsForUser } from "@/lib/teams/queries";
import { listTemplates, seedBuiltinTemplates } from "@/lib/templates/queries";
import { createToken } from "@/lib/tokens/service";
import { registerUser } from "@/lib/users/register";
import { adminCore, waitForState } from "../test/integration/devbox-harness";
import { CLI, SshHome } from "../test/integration/ssh-harness";
import { installTestDatabase, startTerminalBackend } from "../test/integration/terminal-harness";
import { tuneHeapForStreaming } from "@/server/heap-tuning";
import { startSocatRelay, type SocatRelay } from "./_socat-relay";
import { type Benchmark, intOption, option, stats, type Stats } from "./types";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");

/** CPU seconds per scp (medians over the rounds). */
interface ScpCpu {
  dashboard: number;
  /** Of the dashboard's time: garbage collection pauses, in ms, and how many were mark-compacts. */
  dashboardGcMs: number;
  dashboardMajorGcs: number;
  proxyCommand: number;
  /** kube-apiserver + kubelet + containerd (shared with other users of the machine). */
  cluster: number;
}
interface Side {
  echo: Stats;
  scpMBps: number;
  connect: Stats;
  scpCpu?: ScpCpu;
}
interface Compared {
  side: Side;
  addedEchoP50Ms: number;
  scpRatio: number;
  connectRatio: number;
  met: boolean;
}
interface Result {
  cli: string;
  roundTrips: number;
  megabytes: number;
  scps: number;
  connects: number;
  loadAverage: { start: number[]; end: number[] };
  floor: Side;
  /** The dashboard path per transport (lib/ssh/tunnel.ts): port-forward is the default. */
  portForward: Compared;
  direct: Compared;
  /** Medians, ms: the ProxyCommand's start (spawn → its websocket request at the dashboard; a bare `node -e 0` for scale) and the dashboard's part (request → sshd's banner). */
  connectBreakdown: { proxyCommandStartMs: number; bareNodeMs: number; dashboardUpgradeToBannerMs: { portForward: number; direct: number } };
  /** The floor's client through one and two socat processes to the Pod IP: the least that relays in the path cost on this machine (ours are two: the ProxyCommand and the dashboard). */
  socatRelays: { hops: number; scpMBps: number; scpRatio: number }[];
  targets: { addedEchoP50Ms: 2; scpRatio: 0.8; connectRatio: 1.5 };
}

/** 1-byte echoes through `ssh <target> cat`: write a byte, wait for it to come back. */
async function echoes(args: string[], env: NodeJS.ProcessEnv, n: number): Promise<Stats> {
  const child = spawn("ssh", [...args, "exec cat"], { env, stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  let waiter: (() => void) | null = null;
  let got = 0;
  child.stdout.on("data", (d: Buffer) => {
    got += d.length;
    waiter?.();
  });
  const once = (want: number) =>
    new Promise<void>((resolve, reject) => {
      if (got >= want) return resolve();
      const t = setTimeout(() => reject(new Error(`echo timed out: ${err}`)), 30_000);
      waiter = () => {
        if (got >= want) {
          clearTimeout(t);
          waiter = null;
          resolve();
        }
      };
    });
  // Warm up: the connection is open and cat answers.
  child.stdin.write("w");
  await once(1);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    child.stdin.write("x");
    await once(2 + i);
    samples.push(performance.now() - t0);
  }
  child.stdin.end();
  await new Promise((r) => child.on("exit", r));
  return stats(samples);
}

async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  await run(cmd, args, { env, maxBuffer: 1 << 20 });
  return performance.now() - t0;
}

const TICK_S = 0.01; // USER_HZ = 100 on Linux

/** utime + stime of a process in seconds, or 0 when it is gone. */
function procCpu(pid: number | string): number {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * TICK_S;
  } catch {
    return 0;
  }
}

const CLUSTER_PROCESSES = new Set(["kube-apiserver", "kubelet", "containerd"]);
function clusterCpu(): number {
  let sum = 0;
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let comm = "";
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
      continue;
    }
    if (CLUSTER_PROCESSES.has(comm)) sum += procCpu(pid);
  }
  return sum;
}

/**
 * The ProxyCommand wrapped in a shell that waits for it and then records its CPU (cutime + cstime
 * of the shell: the waited-for ProxyCommand) in $DEVBOX_BENCH_CPU_DIR. ssh sends the ProxyCommand
 * SIGHUP as it exits, so the shell ignores it (and so does the CLI): the CLI ends on its stdin's end.
 */
function cpuRecordingProxy(proxy: string[]): string {
  const inner = `trap '' HUP; ${proxy.map((a) => `'${a}'`).join(" ")} ssh --stdio "$1"; r=$?; cat /proc/$$/stat > "$DEVBOX_BENCH_CPU_DIR/$$"; exit $r`;
  return `sh -c "${inner.replace(/(["$`\\])/g, "\\$1")}" sh %h`;
}

async function proxyCpuFrom(dir: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const files = fs.readdirSync(dir);
    if (files.length) {
      const text = fs.readFileSync(path.join(dir, files[0]), "utf8");
      if (text.includes(")")) {
        fs.rmSync(path.join(dir, files[0]));
        const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
        return (Number(f[13]) + Number(f[14])) * TICK_S;
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the ProxyCommand did not record its CPU time");
}

/** An SSH websocket opened from this process: ms from the upgrade request to the first bytes of sshd (its banner). */
async function upgradeToBanner(origin: string, host: { team: string; devbox: string }, token: string): Promise<number> {
  const url = new URL(sshPath(host.team, host.devbox), origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const t0 = performance.now();
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
  try {
    return await new Promise<number>((resolve, reject) => {
      ws.on("message", (_d, isBinary) => isBinary && resolve(performance.now() - t0));
      ws.on("close", (code, reason) => reject(new Error(`closed ${code} ${reason}`)));
      ws.on("error", reject);
    });
  } finally {
    ws.close();
  }
}

/**
 * ms from spawning the ProxyCommand to its websocket upgrade request arriving: the CLI is pointed
 * (its config file) at a server of this process that notes the time and hangs up.
 */
async function proxyStarter(proxy: string[], env: NodeJS.ProcessEnv, dir: string) {
  const server = http.createServer();
  let arrived: (() => void) | undefined;
  server.on("upgrade", (_req, socket: Duplex) => {
    arrived?.();
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const config = path.join(dir, "start-config.json");
  fs.writeFileSync(config, JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: "dbx_pat_start" }), { mode: 0o600 });
  return {
    measure: () =>
      new Promise<number>((resolve, reject) => {
        const t0 = performance.now();
        let ms = 0;
        arrived = () => (ms = performance.now() - t0);
        const child = spawn(proxy[0], [...proxy.slice(1), "ssh", "--stdio", "start.bench"], { env: { ...env, DEVBOX_CONFIG: config }, stdio: ["pipe", "ignore", "ignore"] });
        child.on("exit", () => (ms ? resolve(ms) : reject(new Error("the ProxyCommand never reached the dashboard"))));
      }),
    /** The same spawn of a bare `node -e 0` until it exits: what Node's own start costs at this load. */
    bareNode: () =>
      new Promise<number>((resolve) => {
        const t0 = performance.now();
        spawn(proxy[0], ["-e", "0"], { stdio: "ignore" }).on("exit", () => resolve(performance.now() - t0));
      }),
    close: () => server.close(),
  };
}

const bench: Benchmark<Result> = {
  description: "SSH through the dashboard (websocket + port-forward) vs ssh straight to the Pod IP: echo p50, scp 200 MB, ssh true",
  async run(ctx) {
    const n = intOption(ctx.args, "n", 1000);
    const mb = intOption(ctx.args, "mb", 200);
    const connects = intOption(ctx.args, "connects", 10);
    const scps = intOption(ctx.args, "scps", 3);
    const cliKind = option(ctx.args, "cli") ?? "bin";
    if (!["bin", "bundle", "tsx"].includes(cliKind)) throw new Error(`--cli must be bin, bundle or tsx (got '${cliKind}')`);

    const load = () => os.loadavg().map((l) => Math.round(l * 10) / 10);
    const loadStart = load();
    tuneHeapForStreaming(); // as server.ts does for the dashboard's process
    const { db, close } = await installTestDatabase();
    await seedBuiltinTemplates(db);
    const templateId = (await listTemplates(db)).find((t) => t.name === "debian")!.id;
    const owner = await registerUser(db, { email: `bench-ssh-${randomSuffix()}@example.com`, password: "correct horse 7" });
    const [team] = await listTeamsForUser(db, owner.id);
    const backend = await startTerminalBackend(db);
    await import("@/server/ws/ssh");
    const home = new SshHome();
    let relay: SocatRelay | undefined;
    const file = path.join(home.dir, "payload.bin");
    try {
      ctx.log("[ssh] creating a devbox");
      await createDevbox(db, team, owner.id, { name: "bench", templateId, cpuMillis: 1000, memoryMiB: 1024, diskMiB: mb * 2 + 2048 });
      const { devbox } = await waitForState(db, team, "bench", "Running");
      const pod = devboxPodCache().podsOf(devbox!.id).find((p) => p.metadata?.name === podName(devbox!))!;
      const podIP = pod.status!.podIP!;
      await addSshKey(db, owner.id, { name: "bench", publicKey: await home.init() });
      const { token } = await createToken(db, owner, { name: "bench", scopes: ["devboxes:ssh"] });
      const hosts = await listSshHosts(kubeConfig(), db, owner);
      const host = hosts[0].host;

      let proxy = CLI;
      if (cliKind === "bundle") {
        const out = path.join(home.dir, "devbox-ssh.mjs");
        await run(path.join(ROOT, "node_modules/.bin/esbuild"), [path.join(ROOT, "bench/_devbox-cli-entry.ts"), "--bundle", "--platform=node", "--format=esm", `--outfile=${out}`, "--log-level=warning", `--tsconfig=${path.join(ROOT, "tsconfig.json")}`, "--banner:js=import{createRequire}from'module';const require=createRequire(import.meta.url);"], { cwd: ROOT });
        proxy = [process.execPath, out];
      }
      home.writeConfig(hosts, backend.origin);
      // config-ssh's files, with the chosen ProxyCommand.
      const cfgPath = path.join(home.dir, ".ssh", "devbox", "config");
      const devboxConfig = fs.readFileSync(cfgPath, "utf8");
      fs.writeFileSync(cfgPath, devboxConfig.replace(/ProxyCommand .* ssh --stdio %h/, `ProxyCommand ${proxy.join(" ")} ssh --stdio %h`));
      // The same, with the ProxyCommand's CPU recorded (the scp rounds only: the shell around it costs a fork).
      const cpuDir = path.join(home.dir, "proxy-cpu");
      fs.mkdirSync(cpuDir);
      const cpuCfg = path.join(home.dir, ".ssh", "devbox", "config-cpu");
      fs.writeFileSync(cpuCfg, devboxConfig.replace(/ProxyCommand .* ssh --stdio %h/, () => `ProxyCommand ${cpuRecordingProxy(proxy)}`));
      fs.writeFileSync(path.join(home.dir, ".ssh", "config-cpu"), `Include ${cpuCfg}\n`);
      // The floor: the same client to the Pod IP, the same host key pinned by alias.
      const floorArgs = [...home.opts(), "-o", `HostKeyAlias=${host}`, "-o", `UserKnownHostsFile=${home.knownHosts}`, "-o", "StrictHostKeyChecking=yes", `devbox@${podIP}`];
      // References between the floor and our path: the same client to the Pod IP through the
      // cheapest relays there are (socat: read and write, no websocket), one process (ProxyCommand
      // socat → Pod IP) and two (ProxyCommand socat → a socat listener → Pod IP), our path's shape.
      relay = await startSocatRelay(podIP, 22);
      const viaSocat = (to: string) => [...floorArgs.slice(0, -1), "-o", `ProxyCommand=socat -b 262144 - TCP:${to}`, floorArgs[floorArgs.length - 1]];
      const relay1Args = viaSocat(`${podIP}:22`);
      const relay2Args = viaSocat(`127.0.0.1:${relay.port}`);
      const dashArgs = [...home.opts(), host];
      const dashCpuArgs = [...home.opts().map((o) => (o.endsWith("/.ssh/config") ? `${o}-cpu` : o)), host];
      const env = { ...home.env(backend.origin, token), ...(cliKind === "tsx" ? { DEVBOX_CLI_CACHE: "off" } : {}) };
      if (cliKind === "bin") await run(process.execPath, [path.join(ROOT, "cli/ssh-stdio-cache.mjs"), "build"], { env });
      // Warm-up: first connections (authorized_keys write, caches) are not measured.
      await run("ssh", [...dashArgs, "true"], { env });
      await run("ssh", [...floorArgs, "true"], { env });

      const scp = async (target: string[], dest: string) => timed("scp", [...target.slice(0, -1), file, `${target[target.length - 1]}:${dest}`], { ...env, DEVBOX_BENCH_CPU_DIR: cpuDir });
      let gcMs = 0;
      let majorGcs = 0;
      const gcs = new PerformanceObserver((list) =>
        list.getEntries().forEach((e) => {
          gcMs += e.duration;
          if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
        }),
      );
      gcs.observe({ entryTypes: ["gc"] });
      const cpu: Record<string, { dashboard: number[]; dashboardGcMs: number[]; dashboardMajorGcs: number[]; proxyCommand: number[]; cluster: number[] }> = {};
      /** One scp, with the CPU it cost each part. */
      const scpMeasured = async (k: string, target: string[], viaProxy: boolean) => {
        const c = (cpu[k] ??= { dashboard: [], dashboardGcMs: [], dashboardMajorGcs: [], proxyCommand: [], cluster: [] });
        const u0 = process.cpuUsage();
        const k0 = clusterCpu();
        gcMs = 0;
        majorGcs = 0;
        const ms = await scp(target, "/tmp/payload.bin");
        const u = process.cpuUsage(u0);
        c.dashboard.push((u.user + u.system) / 1e6);
        c.cluster.push(clusterCpu() - k0);
        c.dashboardGcMs.push(gcMs);
        c.dashboardMajorGcs.push(majorGcs);
        c.proxyCommand.push(viaProxy ? await proxyCpuFrom(cpuDir) : 0);
        return ms;
      };
      fs.writeFileSync(file, randomBytes(mb * 1024 * 1024));
      const transports = ["port-forward", "direct"] as const;
      const measure = { echo: {} as Record<string, Stats>, scpMs: {} as Record<string, number[]>, conn: {} as Record<string, number[]> };
      const through = async <T>(t: string, f: () => Promise<T>) => {
        process.env.DEVBOX_SSH_TRANSPORT = t === "floor" ? "port-forward" : t;
        return f();
      };
      ctx.log(`[ssh] ${n} echoes each: floor, port-forward, direct`);
      measure.echo.floor = await echoes(floorArgs, env, n);
      for (const t of transports) measure.echo[t] = await through(t, () => echoes(dashArgs, env, n));
      ctx.log(`[ssh] ${scps} x scp ${mb} MB each, interleaved`);
      for (const k of ["floor", "relay1", "relay2", ...transports]) measure.scpMs[k] = [];
      for (let i = 0; i < scps; i++) {
        measure.scpMs.floor.push(await scpMeasured("floor", floorArgs, false));
        measure.scpMs.relay1.push(await scpMeasured("relay1", relay1Args, false));
        measure.scpMs.relay2.push(await scpMeasured("relay2", relay2Args, false));
        for (const t of transports) measure.scpMs[t].push(await through(t, () => scpMeasured(t, dashCpuArgs, true)));
      }
      gcs.disconnect();
      await run("ssh", [...floorArgs, "rm -f /tmp/payload.bin"], { env });
      ctx.log(`[ssh] ${connects} x ssh true each, interleaved`);
      for (const k of ["floor", ...transports]) measure.conn[k] = [];
      const handshake: Record<string, number[]> = { "port-forward": [], direct: [] };
      const starter = await proxyStarter(proxy, env, home.dir);
      const proxyStart: number[] = [];
      const bareNode: number[] = [];
      for (let i = 0; i < connects; i++) {
        measure.conn.floor.push(await timed("ssh", [...floorArgs, "true"], env));
        for (const t of transports) measure.conn[t].push(await through(t, () => timed("ssh", [...dashArgs, "true"], env)));
        // Where a connection's extra time goes: the dashboard's part (upgrade request → sshd's
        // banner, with a client in this process) and the ProxyCommand's start (spawn → its upgrade request).
        for (const t of transports) handshake[t].push(await through(t, () => upgradeToBanner(backend.origin, hosts[0], token)));
        proxyStart.push(await starter.measure());
        bareNode.push(await starter.bareNode());
      }
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
      const r2 = (x: number) => Math.round(x * 100) / 100;
      const scpCpuOf = (k: string): ScpCpu => ({ dashboard: r2(med(cpu[k].dashboard)), dashboardGcMs: Math.round(med(cpu[k].dashboardGcMs)), dashboardMajorGcs: med(cpu[k].dashboardMajorGcs), proxyCommand: r2(med(cpu[k].proxyCommand)), cluster: r2(med(cpu[k].cluster)) });
      const sideOf = (k: string): Side => ({ echo: measure.echo[k], scpMBps: Math.round((mb / (stats(measure.scpMs[k]).median / 1000)) * 10) / 10, connect: stats(measure.conn[k]), scpCpu: scpCpuOf(k) });
      const floor = sideOf("floor");
      const compare = (k: string): Compared => {
        const side = sideOf(k);
        const addedEchoP50Ms = r2(side.echo.median - floor.echo.median);
        const scpRatio = r2(side.scpMBps / floor.scpMBps);
        const connectRatio = r2(side.connect.median / floor.connect.median);
        return { side, addedEchoP50Ms, scpRatio, connectRatio, met: addedEchoP50Ms <= 2 && scpRatio >= 0.8 && connectRatio <= 1.5 };
      };
      starter.close();
      const breakdown = {
        proxyCommandStartMs: stats(proxyStart).median,
        bareNodeMs: stats(bareNode).median,
        dashboardUpgradeToBannerMs: { portForward: stats(handshake["port-forward"]).median, direct: stats(handshake.direct).median },
      };
      return {
        cli: cliKind,
        connectBreakdown: breakdown,
        roundTrips: n,
        megabytes: mb,
        scps,
        connects,
        loadAverage: { start: loadStart, end: load() },
        floor,
        portForward: compare("port-forward"),
        direct: compare("direct"),
        socatRelays: [1, 2].map((hops) => {
          const scpMBps = Math.round((mb / (stats(measure.scpMs[`relay${hops}`]).median / 1000)) * 10) / 10;
          return { hops, scpMBps, scpRatio: r2(scpMBps / floor.scpMBps) };
        }),
        targets: { addedEchoP50Ms: 2, scpRatio: 0.8, connectRatio: 1.5 },
      };
    } finally {
      relay?.stop();
      await backend.stop();
      await adminCore.deleteNamespace({ name: team.namespace }).catch(() => {});
      await close();
      home.remove();
    }
  },
  format(r) {
    const cpu = (c?: ScpCpu) => (c ? `   CPU s/scp: dashboard ${c.dashboard} (GC ${c.dashboardGcMs} ms, ${c.dashboardMajorGcs} mark-compacts), ProxyCommand ${c.proxyCommand}, cluster ${c.cluster}` : "");
    const side = (name: string, s: Side) =>
      `  ${name.padEnd(22)} echo p50 ${s.echo.median} ms (p95 ${s.echo.p95})   scp ${s.scpMBps} MB/s   ssh true p50 ${s.connect.median} ms${cpu(s.scpCpu)}`;
    const verdict = (name: string, c: Compared) =>
      `  ${name.padEnd(22)} echo added p50 ${c.addedEchoP50Ms} ms (≤ 2) · scp ratio ${c.scpRatio} (≥ 0.8) · connect ratio ${c.connectRatio} (≤ 1.5) · ${c.met ? "met" : "NOT met"}`;
    return [
      `SSH: ${r.roundTrips} echoes, scp ${r.scps} × ${r.megabytes} MB, ${r.connects} connects; CLI ${r.cli}; load average ${r.loadAverage.start.join(" ")} at the start, ${r.loadAverage.end.join(" ")} at the end`,
      side("floor (Pod IP)", r.floor),
      side("dashboard port-forward", r.portForward.side),
      side("dashboard direct", r.direct.side),
      ...r.socatRelays.map((s) => `  ${`socat × ${s.hops}`.padEnd(22)} scp ${s.scpMBps} MB/s, ratio ${s.scpRatio}: the floor's client through ${s.hops} socat relay process${s.hops > 1 ? "es" : ""} (the cheapest relays; our path has 2)`),
      verdict("port-forward", r.portForward),
      verdict("direct", r.direct),
      `  connect breakdown (medians): ProxyCommand start → its request ${r.connectBreakdown.proxyCommandStartMs} ms (a bare \`node -e 0\` ${r.connectBreakdown.bareNodeMs} ms); dashboard request → sshd banner: port-forward ${r.connectBreakdown.dashboardUpgradeToBannerMs.portForward} ms, direct ${r.connectBreakdown.dashboardUpgradeToBannerMs.direct} ms`,
    ].join("\n");
  },
};

export default bench;
