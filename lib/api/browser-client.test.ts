import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { allPages, apiCall, ApiError } from "./browser-client";

// A real HTTP server answering the way our route handlers do (AppError.toResponse() for refusals).
const seen: { method: string; url: string; type: string | undefined; body: string }[] = [];
let server: Server;
let origin: string;

async function answer(req: IncomingMessage, body: string): Promise<Response> {
  const url = new URL(req.url!, "http://x");
  if (url.pathname === "/json") return Response.json({ hello: "world" });
  if (url.pathname === "/empty") return new Response(null, { status: 204 });
  if (url.pathname === "/text") return new Response("line 1\nline 2\n", { headers: { "content-type": "text/plain" } });
  if (url.pathname === "/conflict") return new AppError("conflict", "That name is taken.", { field: "name" }).toResponse();
  if (url.pathname === "/gateway") return new Response("<html>Bad gateway</html>", { status: 502, headers: { "content-type": "text/html" } });
  if (url.pathname === "/echo") return Response.json(JSON.parse(body));
  if (url.pathname === "/pages") {
    const cursor = Number(url.searchParams.get("cursor") ?? 0);
    return Response.json({ items: [cursor * 2, cursor * 2 + 1], nextCursor: cursor < 2 ? String(cursor + 1) : null, filter: url.searchParams.get("state") });
  }
  return new Response("not here", { status: 404 });
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method!, url: req.url!, type: req.headers["content-type"], body });
    const r = await answer(req, body);
    res.writeHead(r.status, Object.fromEntries(r.headers)).end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const last = () => seen[seen.length - 1];

describe("apiCall", () => {
  it("returns the JSON of a GET, sent without a Content-Type", async () => {
    expect(await apiCall("GET", `${origin}/json`)).toEqual({ hello: "world" });
    expect(last()).toMatchObject({ method: "GET", type: undefined, body: "" });
  });

  it("sends bodies as JSON and marks every unsafe method as JSON even without a body (the CSRF check needs it)", async () => {
    expect(await apiCall("PUT", `${origin}/echo`, { timeoutMinutes: 30 })).toEqual({ timeoutMinutes: 30 });
    expect(last()).toMatchObject({ method: "PUT", type: "application/json" });
    expect(await apiCall("DELETE", `${origin}/empty`)).toBeUndefined();
    expect(last()).toMatchObject({ method: "DELETE", type: "application/json", body: "" });
  });

  it("returns a text body as text (logs)", async () => {
    expect(await apiCall<string>("GET", `${origin}/text`)).toBe("line 1\nline 2\n");
  });

  it("throws the API's own error message, code, field and status", async () => {
    const err = await apiCall("POST", `${origin}/conflict`, { name: "web" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ message: "That name is taken.", status: 409, code: "conflict", field: "name" });
  });

  it("throws a plain status message when the answer is not our JSON (a proxy's error page)", async () => {
    const err = await apiCall("GET", `${origin}/gateway`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ message: "Request failed (502).", status: 502, code: undefined });
  });
});

describe("allPages", () => {
  it("follows the cursor to the last page and keeps the query the URL already had", async () => {
    const before = seen.length;
    expect(await allPages<number>(`${origin}/pages?state=active`)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen.slice(before).map((r) => r.url)).toEqual([
      "/pages?state=active&limit=200",
      "/pages?state=active&limit=200&cursor=1",
      "/pages?state=active&limit=200&cursor=2",
    ]);
  });
});
