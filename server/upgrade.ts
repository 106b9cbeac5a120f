import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { refuseForeignUpgrade } from "./host-guard";

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void | Promise<void>;

// Websocket endpoints hosted by server.ts, by path prefix or by exact pattern. Each feature
// registers its own. Patterns are tried first: several features live under /api/v1/teams/.
const endpoints = new Map<string, UpgradeHandler>();
const patterns = new Map<RegExp, UpgradeHandler>();

export function registerWebsocketEndpoint(path: string | RegExp, handler: UpgradeHandler): void {
  if (typeof path === "string") endpoints.set(path, handler);
  else patterns.set(path, handler);
}

export function createUpgradeDispatcher(nextUpgrade: UpgradeHandler): UpgradeHandler {
  return (req, socket, head) => {
    // A Host that is not ours (DNS rebinding) never reaches an endpoint or Next's HMR.
    if (refuseForeignUpgrade(req, socket)) return;
    const path = pathOf(req.url ?? "/");
    // A target that is no URL ("http://[", sent by hand): a throw here would leave the socket open
    // (Next logs uncaught exceptions and goes on; without Next the process would end).
    if (path === null) return answerAndClose(socket, "400 Bad Request");
    for (const [re, handler] of patterns) {
      if (re.test(path)) return served(handler, req, socket, head);
    }
    for (const [prefix, handler] of endpoints) {
      if (path.startsWith(prefix)) return served(handler, req, socket, head);
    }
    // Next's websockets (dev HMR) are under /_next/. Anything else would be left open by Next's
    // handler (it leaves unknown upgrades to a custom server's own listener): a socket held forever.
    if (!path.startsWith("/_next/")) return upgradeNotFound(req, socket, head);
    return nextUpgrade(req, socket, head);
  };
}

/**
 * Runs an endpoint; one that throws or rejects before it answered (e.g. the DB unreachable while
 * it authorizes) gets 500 and the socket closed. Uncaught, the error would only be logged by Next
 * and the socket held open for good.
 */
async function served(handler: UpgradeHandler, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  try {
    await handler(req, socket, head);
  } catch (err) {
    console.error(`[devbox] websocket ${pathOf(req.url ?? "/")}: ${(err as Error).message}`);
    if (socket.destroyed) return;
    if (socket.writable) answerAndClose(socket, "500 Internal Server Error");
    else socket.destroy();
  }
}

function pathOf(target: string): string | null {
  try {
    return new URL(target, "http://localhost").pathname;
  } catch {
    return null;
  }
}

function answerAndClose(socket: Duplex, status: string): void {
  socket.on("error", () => {});
  socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
}

/** The answer to an upgrade nobody serves: 404, and the socket closed (never left open). */
export const upgradeNotFound: UpgradeHandler = (_req, socket) => answerAndClose(socket, "404 Not Found");

/**
 * Makes `listener` the server's only "upgrade" listener. Next's request handler adds one of its own
 * to the server of the first request it serves (NextCustomServer.setupWebSocketHandler in
 * next/dist/server/next.js); that one ends every websocket whose path matches a page — a preview
 * app's `/`, Vite's HMR socket, included, racing the proxy that serves it — and skips the Host
 * guard. Next gets its upgrades from the dispatcher instead (`app.getUpgradeHandler()`).
 */
export function soleUpgradeListener(server: Server, listener: UpgradeHandler): void {
  server.on("upgrade", listener);
  // "newListener" fires before the listener is added: remove it right after. Listeners are added
  // while a request is handled, so no upgrade event can come in between.
  server.on("newListener", (event, added) => {
    if (event === "upgrade" && added !== listener) queueMicrotask(() => server.off("upgrade", added));
  });
}

/**
 * Next's upgrade handler for the dispatcher: its router's (dev HMR at /_next/hmr, upgrades of its
 * rewrites), the one Next's own listener calls. Not `app.getUpgradeHandler()`: that is the render
 * server's, whose handleUpgrade does nothing (next/dist/server/next-server.js), so with Next's
 * listener removed (soleUpgradeListener) an HMR websocket would hang unanswered. Next's custom
 * server has it as the `upgradeHandler` getter (after prepare()), which its types do not list.
 */
export function nextUpgradeHandler(app: object): UpgradeHandler {
  const handler = (app as { upgradeHandler?: unknown }).upgradeHandler;
  if (typeof handler !== "function") throw new Error("next(): no upgradeHandler on the prepared custom server (Next changed; see server/upgrade.ts)");
  return handler as UpgradeHandler;
}
