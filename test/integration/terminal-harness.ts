import { createServer, type Server } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { encode } from "next-auth/jwt";
import { openDatabase, type Database } from "@/db/client";
import { announceDevboxChange } from "@/lib/devboxes/change-bus";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { Reconciler } from "@/lib/reconciler/controller";
import { terminalRegistry } from "@/lib/terminal/registry";
import { execIn } from "./cluster-helpers";
import { admin, eventually } from "./devbox-harness";
import { createUpgradeDispatcher } from "@/server/upgrade";

/**
 * A fresh in-memory metadata DB installed as the process's DB handle, so code that calls
 * getDb() (authorization, the terminal endpoint) sees the test's rows.
 */
export async function installTestDatabase(): Promise<{ db: Database; close(): Promise<void> }> {
  const handle = await openDatabase({ pgliteDir: "memory://" });
  await handle.migrate();
  (globalThis as Record<symbol, unknown>)[Symbol.for("devbox.database")] = Promise.resolve(handle);
  return { db: handle.db, close: handle.close };
}

/** An HTTP server with the dashboard's upgrade dispatcher and its websocket endpoints (no Next). */
export async function startWsServer(): Promise<{ server: Server; port: number; origin: string; wsBase: string }> {
  await import("@/server/ws/terminal"); // registers the endpoint
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", createUpgradeDispatcher((_req, socket) => void socket.end("HTTP/1.1 404 Not Found\r\n\r\n")));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  // The dashboard's configured origin: the only Host and Origin the endpoints accept.
  process.env.NEXTAUTH_URL = `http://localhost:${port}`;
  return { server, port, origin: `http://localhost:${port}`, wsBase: `ws://localhost:${port}` };
}

/**
 * What a dashboard process runs for terminals: the reconciler (leader, fed by the Pod cache) and
 * the websocket endpoints. `stop()` closes terminals, the server, the reconciler and the cache.
 */
export async function startTerminalBackend(db: Database) {
  const pods = devboxPodCache();
  pods.on("change", (id: string) => announceDevboxChange(id));
  pods.start();
  const reconciler = new Reconciler(db, pods);
  await reconciler.start();
  await eventually("leadership", async () => (reconciler.isLeader ? true : undefined), 30_000);
  const ws = await startWsServer();
  const stop = async () => {
    terminalRegistry().closeAll();
    ws.server.close();
    await reconciler.stop();
    await devboxPodCache().stop();
  };
  return { ...ws, reconciler, stop };
}

export async function sessionCookie(uid: string, secret = process.env.NEXTAUTH_SECRET!): Promise<string> {
  return `next-auth.session-token=${await encode({ token: { uid }, secret })}`;
}

/**
 * The last PID allocated in the container's PID namespace (the 5th field of /proc/loadavg is
 * per PID namespace for the reader). Every process an exec starts in the container takes a PID,
 * so an unchanged counter between two probes means nothing was executed there in between.
 * Each probe is itself one exec of `cat` (one PID): compare deltas, not values.
 */
export async function lastPid(namespace: string, pod: string): Promise<number> {
  const r = await execIn(admin, namespace, pod, "devbox", ["cat", "/proc/loadavg"]);
  const n = Number(r.stdout.trim().split(/\s+/)[4]);
  if (!Number.isInteger(n)) throw new Error(`unexpected /proc/loadavg: ${r.stdout}`);
  return n;
}

/**
 * The apiserver's count of pod exec requests it answered with a status code, from its
 * /metrics (`apiserver_request_total{verb="CONNECT",resource="pods",subresource="exec"}`).
 * An exec for a devbox whose Pod is gone would be answered 404.
 */
export async function apiserverExecRequests(code: string): Promise<number> {
  const cluster = admin.getCurrentCluster()!;
  const opts: https.RequestOptions = {};
  await admin.applyToHTTPSOptions(opts);
  const url = new URL("/metrics", cluster.server);
  const body = await new Promise<string>((resolve, reject) => {
    https
      .get(url, opts, (res) => {
        let s = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (s += c));
        res.on("end", () => (res.statusCode === 200 ? resolve(s) : reject(new Error(`/metrics: HTTP ${res.statusCode}`))));
      })
      .on("error", reject);
  });
  let total = 0;
  for (const line of body.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    if (!line.includes('subresource="exec"') || !line.includes('verb="CONNECT"') || !line.includes(`code="${code}"`) || !line.includes('resource="pods"')) continue;
    total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}
