import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { refuseForeignUpgrade } from "./host-guard";

type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void | Promise<void>;

// Websocket endpoints hosted by server.ts, by path prefix. Each feature registers its own.
const endpoints = new Map<string, UpgradeHandler>();
// Endpoints that share a prefix with another one name their exact paths; they are tried first.
const exact: { match: RegExp; handler: UpgradeHandler }[] = [];

export function registerWebsocketEndpoint(pathPrefix: string, handler: UpgradeHandler, match?: RegExp): void {
  if (match) exact.push({ match, handler });
  else endpoints.set(pathPrefix, handler);
}

export function createUpgradeDispatcher(nextUpgrade: UpgradeHandler): UpgradeHandler {
  return (req, socket, head) => {
    // A Host that is not ours (DNS rebinding) never reaches an endpoint or Next's HMR.
    if (refuseForeignUpgrade(req, socket)) return;
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    for (const e of exact) if (e.match.test(path)) return e.handler(req, socket, head);
    for (const [prefix, handler] of endpoints) {
      if (path.startsWith(prefix)) return handler(req, socket, head);
    }
    return nextUpgrade(req, socket, head);
  };
}
