import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { ForeignOriginError } from "@/lib/auth/ws-session";
import { AppError } from "@/lib/errors";
import { keepAlive } from "./heartbeat";
import { closeReason, Refusal, refusalOf, refuseUpgrade } from "./refusal";

describe("websocket refusals", () => {
  it("map authorization errors to the shared close codes, and nothing else", () => {
    expect(refusalOf(new AppError("unauthorized", "who?"))).toMatchObject({ code: 4401, message: "who?" });
    expect(refusalOf(new ForeignOriginError())).toMatchObject({ code: 4403 });
    expect(refusalOf(new AppError("forbidden", "This API token lacks the devboxes:write scope"))).toMatchObject({ code: 4406 });
    expect(refusalOf(new AppError("not_found", "Team not found"))).toMatchObject({ code: 4404 });
    expect(refusalOf(new Refusal(4409, "stopped"))).toMatchObject({ code: 4409 });
    expect(refusalOf(new AppError("conflict", "busy"))).toBeUndefined();
    expect(refusalOf(new Error("boom"))).toBeUndefined();
  });

  it("cut close reasons to 123 bytes at a character (ws throws beyond)", () => {
    const long = "Starting devbox box… ".repeat(10);
    const r = closeReason(long);
    expect(Buffer.byteLength(r)).toBeLessThanOrEqual(123);
    expect(long.startsWith(r)).toBe(true);
    expect(closeReason("short")).toBe("short");
  });
});

describe("refuseUpgrade and keepAlive on a real server", () => {
  const wss = new WebSocketServer({ noServer: true });
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    keepAlive(wss, 250);
    server = http.createServer();
    server.on("upgrade", (req, socket, head) => {
      if (req.url === "/refuse") return refuseUpgrade(wss, req, socket, head, new Refusal(4406, "Nope… ".repeat(40)));
      wss.handleUpgrade(req, socket, head, () => {});
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it("a refusal is an error frame with the whole message, then the code", async () => {
    const ws = new WebSocket(`${url}/refuse`);
    const frames: string[] = [];
    ws.on("message", (d) => frames.push(d.toString()));
    const [code] = await new Promise<[number, string]>((r) => ws.on("close", (c, why) => r([c, why.toString()])));
    expect(code).toBe(4406);
    expect(JSON.parse(frames[0])).toEqual({ type: "error", code: 4406, message: "Nope… ".repeat(40) });
  });

  it("keeps a client that answers pings, drops one that does not", async () => {
    const answering = new WebSocket(`${url}/a`);
    // autoPong off: this client never answers.
    const silent = new WebSocket(`${url}/b`, { autoPong: false });
    let silentClosed = false;
    silent.on("close", () => (silentClosed = true));
    await Promise.all([answering, silent].map((w) => new Promise((r) => w.on("open", r))));
    await new Promise((r) => setTimeout(r, 1200));
    expect(silentClosed).toBe(true);
    expect(answering.readyState).toBe(WebSocket.OPEN);
    answering.close();
  });
});
