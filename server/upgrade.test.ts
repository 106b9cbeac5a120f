import { createServer, request, type Server } from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createUpgradeDispatcher, registerWebsocketEndpoint, soleUpgradeListener } from "./upgrade";

let server: Server | undefined;
afterEach(() => void server?.close());

async function listen(s: Server): Promise<number> {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as AddressInfo).port;
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    })
      .on("error", reject)
      .end();
  });
}

/** An upgrade request: the status line that came back, or "closed" when the socket ended without one. */
function upgrade(port: number, path = "/", headers: Record<string, string> = {}): Promise<number | "closed"> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { connection: "Upgrade", upgrade: "websocket", ...headers }, agent: false });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve(res.statusCode!);
    });
    req.on("response", (res) => resolve(res.statusCode!));
    req.on("error", () => resolve("closed"));
    req.end();
  });
}

describe("soleUpgradeListener", () => {
  it("keeps an upgrade listener added later (as Next's request handler does) from ending the socket it serves", async () => {
    let intruderCalls = 0;
    server = createServer((_req, res) => {
      // What NextCustomServer.setupWebSocketHandler does on the first request: its own listener,
      // which ends an upgrade whose path is one of its pages.
      if (server!.listenerCount("upgrade") < 2)
        server!.on("upgrade", (_r, socket) => {
          intruderCalls++;
          socket.end();
        });
      res.end("page");
    });
    // Ours answers after an await, as the preview proxy does (authorization first).
    soleUpgradeListener(server, (_req, socket) => {
      setTimeout(() => socket.end("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"), 20);
    });
    const port = await listen(server);
    expect(await get(port, "/")).toBe(200);

    expect(await upgrade(port)).toBe(101);
    expect(intruderCalls).toBe(0);
    expect(server.listenerCount("upgrade")).toBe(1);
  });
});

describe("createUpgradeDispatcher", () => {
  it("answers 404 and closes an upgrade no endpoint serves, outside Next's /_next/ (Next's handler would leave it open)", async () => {
    const nextPaths: string[] = [];
    // Next's handler stand-in: notes the path and drops the socket.
    server = createServer();
    server.on("upgrade", createUpgradeDispatcher((req, socket) => void (nextPaths.push(req.url!), socket.destroy())));
    const port = await listen(server);
    const prev = process.env.NEXTAUTH_URL;
    process.env.NEXTAUTH_URL = `http://localhost:${port}`;
    try {
      const host = { host: `localhost:${port}` };
      for (const path of ["/", "/nothing", "/api/v1/teams"]) expect(await upgrade(port, path, host), path).toBe(404);
      expect(nextPaths).toEqual([]);
      // Next's own (dev HMR) still reach it.
      expect(await upgrade(port, "/_next/hmr", host)).toBe("closed");
      expect(nextPaths).toEqual(["/_next/hmr"]);
    } finally {
      if (prev === undefined) delete process.env.NEXTAUTH_URL;
      else process.env.NEXTAUTH_URL = prev;
    }
  });
});

/** The status line answered to a hand-written upgrade request whose target is `target`. */
function rawUpgrade(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, "127.0.0.1", () => c.write(`GET ${target} HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`));
    let got = "";
    c.on("data", (d) => (got += d.toString()));
    c.on("close", () => resolve(got.split("\r\n")[0]));
    c.on("error", reject);
  });
}

describe("createUpgradeDispatcher with a target that is no URL", () => {
  it("answers 400 and closes instead of throwing out of the upgrade listener (an uncaught exception, the socket left open)", async () => {
    server = createServer();
    server.on("upgrade", createUpgradeDispatcher((_req, socket) => void socket.destroy()));
    const port = await listen(server);
    const prev = process.env.NEXTAUTH_URL;
    process.env.NEXTAUTH_URL = `http://localhost:${port}`;
    try {
      for (const target of ["http://[", "http://a:b:c/"]) expect(await rawUpgrade(port, target), target).toBe("HTTP/1.1 400 Bad Request");
    } finally {
      if (prev === undefined) delete process.env.NEXTAUTH_URL;
      else process.env.NEXTAUTH_URL = prev;
    }
  });
});

describe("createUpgradeDispatcher with an endpoint that fails", () => {
  it("answers 500 and closes when an endpoint throws or rejects before answering (the socket is never left open)", async () => {
    registerWebsocketEndpoint("/test-throws", () => {
      throw new Error("thrown on purpose");
    });
    registerWebsocketEndpoint("/test-rejects", async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw new Error("rejected on purpose");
    });
    server = createServer();
    server.on("upgrade", createUpgradeDispatcher((_req, socket) => void socket.destroy()));
    const port = await listen(server);
    const prev = process.env.NEXTAUTH_URL;
    process.env.NEXTAUTH_URL = `http://localhost:${port}`;
    const logged = console.error;
    console.error = () => {};
    try {
      for (const target of ["/test-throws", "/test-rejects"]) expect(await rawUpgrade(port, target), target).toBe("HTTP/1.1 500 Internal Server Error");
    } finally {
      console.error = logged;
      if (prev === undefined) delete process.env.NEXTAUTH_URL;
      else process.env.NEXTAUTH_URL = prev;
    }
  });
});
