import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import http, { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Database } from "@/db/client";
import type { Devbox } from "@/db/schema/devboxes";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { CONTAINER_NAME, podName } from "@/lib/devboxes/k8s-objects";
import { createDevbox } from "@/lib/devboxes/service";
import { randomSuffix } from "@/lib/ids";
import { previewLabel } from "@/lib/preview/host";
import { signAppsSession } from "@/lib/preview/tokens";
import { listTeamsForUser } from "@/lib/teams/queries";
import { addMember, createTeam } from "@/lib/teams/service";
import { registerUser } from "@/lib/users/register";
import { listTemplates } from "@/lib/templates/queries";
import { handlePreviewRequest, handlePreviewUpgrade, refuseAppsOrigin } from "@/server/preview";
import { adminConfig, execIn } from "./cluster-helpers";
import { loopbackLookup } from "./loopback-lookup";
import { adminCore, eventually, installProcessDatabase, openDevboxWorld, waitForState, type DevboxWorld } from "./devbox-harness";

export const APP_PORT = 3000;
const APP_SOURCE = readFileSync(path.join(process.cwd(), "test/fixtures/preview-app.cjs"));

export interface PreviewWorld {
  world: DevboxWorld;
  db: Database;
  team: Team;
  devbox: Devbox;
  owner: User;
  member: User;
  other: User;
  server: Server;
  port: number;
  /** The preview origin of the app's port (`http://3000--web--<team>.localhost:<port>`). */
  origin: string;
  label: string;
  podIP: string;
  appsCookie(user: User): string;
  close(): Promise<void>;
}

/** Starts the fixture app (test/fixtures/preview-app.cjs) in the devbox, detached from the exec. */
export async function startFixtureApp(team: Team, devbox: Devbox): Promise<void> {
  const b64 = APP_SOURCE.toString("base64");
  const kc = adminConfig();
  await execIn(kc, team.namespace, podName(devbox), CONTAINER_NAME, [
    "bash",
    "-c",
    `mkdir -p /tmp/app && echo ${b64} | base64 -d > /tmp/app/preview-app.cjs && (setsid nohup node /tmp/app/preview-app.cjs > /tmp/app/log 2>&1 < /dev/null &) && sleep 0.5`,
  ]);
}

/**
 * The bundled cluster, a fresh DB, a team "prev-…" with an owner (the devbox's creator), a
 * viewer member and an outsider, a node-runtime devbox "web" declaring port 3000 with the
 * fixture app running in it, and the preview proxy on an HTTP server of this process (the same
 * handlers server.ts installs; no Next: every other request answers 200 "dashboard").
 */
export async function openPreviewWorld(opts: { backend?: "pglite" | "postgres" } = {}): Promise<PreviewWorld> {
  process.env.DEVBOX_APPS_DOMAIN = "localhost";
  const world = await openDevboxWorld({ who: "preview", backend: opts.backend });
  const undoDb = installProcessDatabase(world.db);
  const db = world.db;
  const server = createServer((req, res) => {
    if (handlePreviewRequest(req, res)) return;
    if (refuseAppsOrigin(req, res)) return;
    res.writeHead(200, { "Content-Type": "text/plain" }).end("dashboard");
  });
  server.on("upgrade", (req, socket, head) => handlePreviewUpgrade(req, socket, head) || socket.end("HTTP/1.1 404 Not Found\r\n\r\n"));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  process.env.NEXTAUTH_URL = `http://localhost:${port}`;

  const owner = world.owner;
  const team = await createTeam(db, owner.id, { slug: `prev-${randomSuffix()}` });
  const member = await registerUser(db, { email: `member-${randomSuffix()}@example.com`, password: "correct horse 7" });
  const other = await registerUser(db, { email: `other-${randomSuffix()}@example.com`, password: "correct horse 7" });
  await addMember(db, owner.id, team, member.email, "viewer");
  const templateId = (await listTemplates(db)).find((t) => t.name === "node")!.id;
  await createDevbox(db, team, owner.id, { name: "web", templateId, cpuMillis: 1000, memoryMiB: 1024, diskMiB: 2048, ports: [{ port: APP_PORT, name: "http" }] });
  const { devbox } = await waitForState(db, team, "web", "Running", 180_000);
  const podIP = await eventually("pod IP", async () => (await adminCore.readNamespacedPod({ namespace: team.namespace, name: podName(devbox!) })).status?.podIP);
  await startFixtureApp(team, devbox!);
  await eventually("the fixture app to answer", () => new Promise<true | undefined>((resolve) => {
    http.get({ host: podIP, port: APP_PORT, path: "/ready" }, (res) => (res.resume(), resolve(res.statusCode === 200 ? true : undefined))).on("error", () => resolve(undefined));
  }), 30_000);

  const label = previewLabel(APP_PORT, devbox!, team.slug);
  return {
    world,
    db,
    team,
    devbox: devbox!,
    owner,
    member,
    other,
    server,
    port,
    label,
    podIP,
    origin: `http://${label}.localhost:${port}`,
    appsCookie: (user) => `devbox_preview=${signAppsSession({ userId: user.id, host: label, sessionVersion: user.sessionVersion, sessionId: null, expiresAt: Date.now() + 3600_000 })}`,
    async close() {
      server.closeAllConnections();
      server.close();
      // The team, and the personal teams' namespaces registerUser made for the member and the outsider.
      const personal = (await Promise.all([member, other].map((u) => listTeamsForUser(db, u.id)))).flat().filter((t) => t.personal).map((t) => t.namespace);
      for (const name of [team.namespace, ...personal]) await adminCore.deleteNamespace({ name }).catch(() => {});
      undoDb();
      await world.close();
    },
  };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request to the preview server, by name (`*.localhost` → 127.0.0.1). */
export function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? "GET", headers: opts.headers, lookup: loopbackLookup as never, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

export interface PreviewReplica {
  port: number;
  stop(): void;
}

/**
 * A second dashboard replica's preview proxy: test/integration/preview-proxy-process.ts in a
 * process of its own on the PostgreSQL database `url` (its own DB pool, Pod watch and caches).
 */
export function startPreviewReplica(url: string): Promise<PreviewReplica> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "preview-proxy-process.ts")], {
    env: { ...process.env, DATABASE_URL: url, DEVBOX_APPS_DOMAIN: "localhost" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      const m = /\{"port":(\d+)\}/.exec(d.toString());
      if (m) resolve({ port: Number(m[1]), stop: () => void child.kill("SIGTERM") });
    });
    child.once("exit", (code) => reject(new Error(`preview replica exited (${code})`)));
  });
}
