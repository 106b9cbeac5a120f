import { createServer, request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import next from "next";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUpgradeDispatcher, nextUpgradeHandler, soleUpgradeListener } from "@/server/upgrade";

// The dashboard's upgrade wiring (server.ts) around a real Next dev server: with Next's own
// upgrade listener removed, its HMR websocket must still be answered through our dispatcher.
// A fixture app of its own: Next's dev server rewrites the tsconfig.json of the app it serves.
const appDir = new URL("../fixtures/next-dev-app", import.meta.url).pathname;
let server: Server;
let close: () => Promise<void>;
let port: number;

beforeAll(async () => {
  const app = next({ dev: true, dir: appDir, hostname: "localhost", port: 0 });
  await app.prepare();
  const handle = app.getRequestHandler();
  server = createServer((req, res) => void handle(req, res));
  // Upgraded sockets are no longer the server's to close (closeAllConnections skips them).
  const sockets = new Set<Socket>();
  server.on("connection", (s) => (sockets.add(s), s.on("close", () => sockets.delete(s))));
  const dispatch = createUpgradeDispatcher(nextUpgradeHandler(app));
  soleUpgradeListener(server, (req, socket, head) => void dispatch(req, socket, head));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
  // The Host guard (server/host-guard.ts) admits the configured address.
  process.env.NEXTAUTH_URL = `http://localhost:${port}`;
  close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
    await app.close();
  };
});
afterAll(async () => close?.());

describe("Next dev behind the dashboard's upgrade dispatcher", () => {
  it("answers the HMR websocket after Next has served a request (when it adds, and we remove, its own listener)", async () => {
    await new Promise<void>((resolve, reject) =>
      request({ host: "127.0.0.1", port, path: "/favicon.ico", headers: { host: `localhost:${port}` } }, (res) => (res.resume(), resolve()))
        .on("error", reject)
        .end(),
    );
    expect(server.listenerCount("upgrade")).toBe(1);
    // Unanswered (the handler Next's render server has does nothing), it fails after 10 s.
    const ws = new WebSocket(`ws://localhost:${port}/_next/hmr`, { handshakeTimeout: 10_000 });
    await new Promise<void>((resolve, reject) => {
      ws.on("open", resolve);
      ws.on("error", reject);
      ws.on("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    ws.close();
  }, 60_000);
});
