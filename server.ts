import { createServer } from "node:http";
import next from "next";
import { databaseHandle } from "./db/client";
import { StartupError } from "./lib/errors";
import { ensureAuthSecret } from "./lib/settings/instance";
import { seedAdminFromEnv } from "./lib/users/seed-admin";
import { refuseForeignRequest } from "./server/host-guard";
import { refuseOversizedBody } from "./server/body-limit";
import { refuseUnknownApiPath } from "./server/api-not-found";
import { stampClientIp } from "./lib/http/client-ip";
import { createUpgradeDispatcher, nextUpgradeHandler, soleUpgradeListener, upgradeNotFound } from "./server/upgrade";
import { handlePreviewRequest, handlePreviewUpgrade, refuseAppsOrigin } from "./server/preview";
import "./server/ws/terminal"; // registers the terminal websocket endpoint
import "./server/ws/ssh"; // registers the SSH websocket endpoint
import "./server/ws/exec"; // registers the exec websocket endpoint (devbox exec)
import "./server/ws/app-logs"; // registers the app log follow websocket endpoint
import { terminalRegistry } from "./lib/terminal/registry";
import { startControlPlane } from "./lib/control-plane";
import { activityRecorder } from "./lib/idle/activity";
import { extraNamespaceLabels } from "./lib/k8s/namespace-labels";
import { devboxNodeSelector } from "./lib/devboxes/node-placement";
import { inClusterConfigProblems } from "./lib/deploy/in-cluster";
import { tuneHeapForStreaming } from "./server/heap-tuning";

const dev = process.env.NODE_ENV !== "production";
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? "127.0.0.1";

async function main() {
  // Streaming (preview proxy, terminals, SSH) must not set off full collections (server/heap-tuning.ts).
  tuneHeapForStreaming();
  // A malformed DEVBOX_NAMESPACE_LABELS stops the start, not the first team's creation; a malformed
  // DEVBOX_NODE_SELECTOR likewise (at a devbox start the reconciler would take it for a transient
  // failure and retry quietly, the devbox stuck in "starting").
  try {
    extraNamespaceLabels();
    devboxNodeSelector();
  } catch (err) {
    throw new StartupError((err as Error).message);
  }
  // In a Pod (deploy/) the bundled cluster's defaults point at the Pod itself: say which to set.
  const podProblems = inClusterConfigProblems();
  if (podProblems.length) throw new StartupError(`running in a Pod, the configuration is incomplete:\n  - ${podProblems.join("\n  - ")}`);
  // Migrations run before the first request can reach the DB.
  const { db, kind } = await databaseHandle();
  process.env.NEXTAUTH_SECRET = await ensureAuthSecret(db);
  process.env.NEXTAUTH_URL ??= `http://localhost:${port}`;
  await seedAdminFromEnv(db);
  const controlPlane = await startControlPlane(db);

  const app = next({ dev, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();

  // Only requests addressed to a configured host name get further (DNS rebinding, server/host-guard.ts).
  const server = createServer((req, res) => {
    // Preview URLs (apps-domain hosts, /p/…) go to the devbox proxy before the Host guard and Next.
    if (handlePreviewRequest(req, res)) return;
    if (refuseForeignRequest(req, res)) return;
    if (refuseOversizedBody(req, res)) return;
    if (refuseAppsOrigin(req, res)) return;
    stampClientIp(req); // for per-IP rate limits (lib/abuse/rate-limit.ts)
    if (refuseUnknownApiPath(req, res)) return;
    void handle(req, res);
  });
  // One upgrade listener (Host checked there too): preview URLs, our websocket endpoints, then
  // Next's /_next/ (dev HMR; production Next has no websockets); any other upgrade gets a 404.
  // The only one: Next's own would end preview websockets whose path is one of its pages (server/upgrade.ts).
  const dispatch = createUpgradeDispatcher(dev ? nextUpgradeHandler(app) : upgradeNotFound);
  soleUpgradeListener(server, (req, socket, head) => void (handlePreviewUpgrade(req, socket, head) || dispatch(req, socket, head)));
  server.listen(port, hostname, () => {
    console.log(`[devbox] dashboard on http://localhost:${port} (metadata DB: ${kind}${dev ? ", development" : ""})`);
  });

  const shutdown = () => {
    // Terminals are told why they close (1001, "the dashboard restarted") instead of a dropped socket.
    terminalRegistry().closeAll();
    void activityRecorder().flush(); // activity not yet written keeps its deadline
    server.close();
    void controlPlane.stop();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((err) => {
  if (err instanceof StartupError) console.error(`[devbox] cannot start: ${err.message}`);
  else console.error("[devbox] failed to start:", err);
  process.exit(1);
});
