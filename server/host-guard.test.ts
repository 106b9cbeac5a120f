import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refuseForeignRequest } from "./host-guard";
import { createUpgradeDispatcher } from "./upgrade";

let server: Server;
let port: number;
const saved = { ...process.env };

beforeAll(async () => {
  server = createServer((req, res) => {
    if (!refuseForeignRequest(req, res)) res.writeHead(200).end("ok");
  });
  server.on("upgrade", createUpgradeDispatcher((_req, socket) => void socket.end("HTTP/1.1 101 Switching Protocols\r\n\r\n")));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
  process.env.NEXTAUTH_URL = `http://localhost:${port}`;
  delete process.env.DEVBOX_TRUSTED_ORIGINS;
});
afterAll(() => {
  server.close();
  process.env = { ...saved };
});

function send(method: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode!, body: "" });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("host guard", () => {
  it("serves the configured host", async () => {
    expect((await send("GET", "/", { host: `localhost:${port}` })).status).toBe(200);
    expect((await send("POST", "/t/x", { host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
  });

  it("answers 421 to any other Host, for requests and websocket upgrades", async () => {
    for (const host of [`attacker.example:${port}`, `127.0.0.1:${port}`, `localhost:${port + 1}`]) {
      const r = await send("GET", "/api/health", { host });
      expect(r.status, host).toBe(421);
      expect(JSON.parse(r.body).error.code).toBe("misdirected");
      expect((await send("GET", "/ws", { host, connection: "Upgrade", upgrade: "websocket", origin: `http://${host}` })).status, host).toBe(421);
    }
    expect((await send("GET", "/_next/hmr", { host: `localhost:${port}`, connection: "Upgrade", upgrade: "websocket" })).status).toBe(101);
  });

  it("answers 400 to a path that does not decode or holds a NUL", async () => {
    for (const path of ["/api/v1/teams/%ff%fe", "/api/v1/teams/%00", "/t/a%E0%A4%A", "/api/v1/teams/%2e%2e", "/api/v1/teams/x/%2E/y"]) expect((await send("GET", path, { host: `localhost:${port}` })).status, path).toBe(400);
    expect((await send("GET", "/api/v1/teams/%C3%BC?q=%ff", { host: `localhost:${port}` })).status).toBe(200);
  });

  it("refuses unsafe methods (server actions) from a foreign or missing Origin, except next-auth's own", async () => {
    const host = `localhost:${port}`;
    for (const origin of [undefined, "null", "http://localhost:8080", `http://attacker.example:${port}`])
      expect((await send("POST", "/t/x", { host, ...(origin ? { origin } : {}) })).status, String(origin)).toBe(403);
    expect((await send("POST", "/api/auth/../../t/x", { host })).status).toBe(400); // dot segments never reach the exemption
    expect((await send("POST", "/api/auth/callback/credentials", { host })).status).toBe(200);
  });

  it("lets a cookie-less API-token call to the REST API through without an Origin, nothing else", async () => {
    const host = `localhost:${port}`;
    const authorization = "Bearer dbx_pat_x";
    expect((await send("POST", "/api/v1/teams", { host, authorization })).status).toBe(200);
    expect((await send("POST", "/api/v1/teams", { host, authorization, cookie: "next-auth.session-token=x" })).status).toBe(403);
    expect((await send("POST", "/t/x", { host, authorization })).status).toBe(403); // server actions: never
    expect((await send("POST", "/api/v1/teams", { host })).status).toBe(403);
  });
});
