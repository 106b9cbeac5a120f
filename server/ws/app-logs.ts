import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import http from "node:http";
import https from "node:https";
import { WebSocketServer } from "ws";
import { getDb } from "@/db/client";
import { appCache } from "@/lib/apps/app-cache";
import { APP_CONTAINER } from "@/lib/apps/k8s-objects";
import { findApp } from "@/lib/apps/service";
import { accessWatcher } from "@/lib/auth/access-watch";
import { userFromCookieHeader } from "@/lib/auth/ws-session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { isTrustedOrigin } from "@/lib/http/trusted-origins";
import { kubeConfig } from "@/lib/k8s/config";
import { CloseCode } from "@/lib/terminal/protocol";
import { registerWebsocketEndpoint } from "../upgrade";
import { keepAlive } from "./heartbeat";
import { closeWith, Refusal, refusalOf, refuseUpgrade } from "./refusal";

/**
 * Follows an app replica's log: /api/v1/teams/<team>/apps/<app>/logs/follow?pod=<replica>&tail=<n>.
 * Text frames with log data. Checked in the terminal's order, each refusal a close code before
 * anything reaches Kubernetes: path (4400) → Origin (4403) → session cookie (4401) → developer role in
 * the team (4404 / 4406) → the app and the replica are the app's (4404). Re-checked while open
 * (4411 when access is revoked).
 */
export const APP_LOGS_PATH_RE = /^\/api\/v1\/teams\/([^/]+)\/apps\/([^/]+)\/logs\/follow\/?$/;

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 4096 });
keepAlive(wss);
// Text frames are log data here: refusals are close codes and reasons only.
const NO_ERROR_FRAME = { errorFrame: false };

export async function handleAppLogsUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  socket.on("error", () => {});
  try {
    const url = new URL(req.url ?? "/", "http://localhost");
    const m = APP_LOGS_PATH_RE.exec(url.pathname);
    const tail = Number(url.searchParams.get("tail") ?? 200);
    if (!m || !Number.isInteger(tail) || tail < 1 || tail > 5000) throw new Refusal(CloseCode.BadRequest, "Bad log request.");
    if (!isTrustedOrigin(req.headers.origin)) throw new Refusal(CloseCode.ForbiddenOrigin, "Refused: this page is not served by the dashboard.");
    const db = await getDb();
    const user = await userFromCookieHeader(db, req.headers.cookie);
    if (!user) throw new Refusal(CloseCode.Unauthorized, "Sign in to read logs.");
    // Developers only, as a devbox's logs: output can hold secrets.
    const team = await requireTeamRole(user, decodeURIComponent(m[1]), "developer");
    const app = await findApp(db, team.id, decodeURIComponent(m[2]));
    if (!app) throw new Refusal(CloseCode.NotFound, "App not found");
    const wanted = url.searchParams.get("pod");
    const pods = appCache().podsOf(app.id);
    const pod = wanted ? pods.find((p) => p.metadata?.name === wanted) : pods[0];
    if (!pod) throw new Refusal(CloseCode.NotFound, "Replica not found");

    wss.handleUpgrade(req, socket, head, (ws) => {
      const access = accessWatcher().watch({ userId: user.id, sessionVersion: user.sessionVersion, sessionId: user.sessionId, teamId: team.id, minRole: "developer" }, (reason) =>
        closeWith(ws, CloseCode.Revoked, reason, NO_ERROR_FRAME),
      );
      let stream: http.ClientRequest | undefined;
      ws.on("close", () => {
        access.stop();
        stream?.destroy();
      });
      followLog(team.namespace, pod.metadata!.name!, tail, (text) => ws.readyState === ws.OPEN && ws.send(text), (err) => {
        if (err) console.error(`[devbox] app logs ${team.namespace}/${pod.metadata?.name}:`, err.message);
        if (ws.readyState === ws.OPEN) ws.close(err ? CloseCode.ExecFailed : 1000, err ? "The log could not be read." : "The replica's log ended.");
      })
        .then((r) => {
          stream = r;
          if (ws.readyState !== ws.OPEN) r.destroy();
        })
        .catch((err) => {
          console.error(`[devbox] app logs ${team.namespace}/${pod.metadata?.name}:`, err instanceof Error ? err.message : err);
          ws.close(CloseCode.ExecFailed, "The log could not be read.");
        });
    });
  } catch (err) {
    const refusal = refusalOf(err);
    if (!refusal) console.error("[devbox] app log handshake failed:", err);
    refuseUpgrade(wss, req, socket, head, refusal ?? new Refusal(CloseCode.ExecFailed, "The log could not be opened."), NO_ERROR_FRAME);
  }
}

/**
 * GET …/pods/<pod>/log?follow=true over https with the dashboard's identity. Our own request
 * (not client-node's Log, whose stream errors escape as uncaught exceptions when aborted), so
 * closing the websocket ends it cleanly with `destroy()`.
 */
async function followLog(namespace: string, pod: string, tail: number, onData: (text: string) => void, onEnd: (err?: Error) => void): Promise<http.ClientRequest> {
  const kc = kubeConfig();
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error("no current cluster");
  const url = new URL(`${server}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`);
  url.searchParams.set("container", APP_CONTAINER);
  url.searchParams.set("follow", "true");
  url.searchParams.set("tailLines", String(tail));
  const opts: https.RequestOptions = { method: "GET" };
  await kc.applyToHTTPSOptions(opts);
  const request = (url.protocol === "https:" ? https : http).request(url, opts, (res) => {
    if (res.statusCode !== 200) {
      res.resume();
      return onEnd(new Error(`HTTP ${res.statusCode}`));
    }
    res.setEncoding("utf8");
    res.on("data", onData);
    res.on("end", () => onEnd());
    res.on("error", () => onEnd());
  });
  request.on("error", (err) => (request.destroyed ? undefined : onEnd(err)));
  request.end();
  return request;
}

registerWebsocketEndpoint(APP_LOGS_PATH_RE, handleAppLogsUpgrade);
