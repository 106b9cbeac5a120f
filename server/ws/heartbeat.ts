import type { WebSocket, WebSocketServer } from "ws";

const PING_INTERVAL_MS = 25_000;

// Whether each client answered the last ping (absent: not pinged yet).
const answered = new WeakMap<WebSocket, boolean>();

/**
 * Keep-alive for every client of a websocket server: a ping each interval, and a client that did
 * not answer the previous one is dropped (its "close" handlers then clean up as for any close).
 * Also keeps idle connections open through proxies that cut silent ones.
 */
export function keepAlive(wss: WebSocketServer, intervalMs = PING_INTERVAL_MS): void {
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      const seen = answered.get(ws);
      if (seen === false) {
        ws.terminate();
        continue;
      }
      if (seen === undefined) ws.on("pong", () => answered.set(ws, true));
      answered.set(ws, false);
      ws.ping();
    }
  }, intervalMs);
  timer.unref();
}
