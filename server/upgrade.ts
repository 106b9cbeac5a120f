import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void | Promise<void>;

// Websocket endpoints hosted by server.ts, by path prefix. Each feature registers its own.
const endpoints = new Map<string, UpgradeHandler>();

export function registerWebsocketEndpoint(pathPrefix: string, handler: UpgradeHandler): void {
  endpoints.set(pathPrefix, handler);
}

export function createUpgradeDispatcher(nextUpgrade: UpgradeHandler): UpgradeHandler {
  return (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    for (const [prefix, handler] of endpoints) {
      if (path.startsWith(prefix)) return handler(req, socket, head);
    }
    return nextUpgrade(req, socket, head);
  };
}
