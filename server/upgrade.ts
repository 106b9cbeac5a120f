import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { refuseForeignUpgrade } from "./host-guard";

type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void | Promise<void>;

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
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    for (const [re, handler] of patterns) {
      if (re.test(path)) return handler(req, socket, head);
    }
    for (const [prefix, handler] of endpoints) {
      if (path.startsWith(prefix)) return handler(req, socket, head);
    }
    return nextUpgrade(req, socket, head);
  };
}
