import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations } from "@/lib/api/registry";
import { refuseUnknownApiPath } from "./api-not-found";

let server: Server;
let port: number;

beforeAll(async () => {
  // What server.ts does: this check, then Next.js (here a stand-in that answers "next").
  server = createServer((req, res) => {
    if (!refuseUnknownApiPath(req, res)) res.writeHead(200).end("next");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => void server.close());

function send(method: string, path: string): Promise<{ status: number; type: string; noRoute?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, agent: false }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, type: String(res.headers["content-type"] ?? ""), noRoute: res.headers["x-devbox-no-route"] as string | undefined, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("an /api/v1 path no operation has", () => {
  it("gets the API's JSON 404, naming the method and path, instead of the dashboard's HTML page", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/nosuch"],
      ["DELETE", "/api/v1/teams/acme/devboxes/web/snapshots/abc/extra"],
      ["POST", "/api/v1/teams/acme/devboxes/web/frobnicate?x=1"],
    ]) {
      const r = await send(method, path);
      expect(r.status, path).toBe(404);
      expect(r.type).toBe("application/json");
      expect(r.noRoute, "marked as no route (e2e/fixtures.ts)").toBe("1");
      expect(JSON.parse(r.body)).toEqual({
        error: { code: "not_found", message: `No such API path: ${method} ${path.split("?")[0]} (the API is described at /api/v1/openapi.json).` },
      });
    }
  });

  it("lets every operation's path, the document, pages and trailing slashes through to Next.js", async () => {
    const paths = operations.map((o) => `/api/v1${o.path.replace(/\{(\w+)\}/g, "x-$1")}`);
    expect(paths.length).toBeGreaterThan(15);
    for (const path of [...paths, "/api/v1/openapi.json", "/api/v1/teams/", "/api/auth/session", "/t/acme", "/"]) expect((await send("GET", path)).body, path).toBe("next");
  });
});
