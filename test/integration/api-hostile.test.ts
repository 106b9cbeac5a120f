import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiWorld, type ApiWorld } from "./api-world";
import { eventually } from "./devbox-harness";

// The dashboard samples usage every 3 s (lib/usage/sampler.ts), for the usage test below.
process.env.DEVBOX_USAGE_SAMPLE_SECONDS = "3";

/**
 * The attacker's side of the REST API, against the real dashboard: what a restricted API token
 * must not reach, what an unauthenticated client must not make the dashboard hold in memory,
 * and where the preview hand-off must not send a browser.
 */
describe("REST API under attack", () => {
  let w: ApiWorld;
  let port: number;

  const tokenFor = async (body: Record<string, unknown>): Promise<string> => {
    const r = await w.call("POST", "/api/v1/tokens", { body: { name: `t-${Math.random().toString(36).slice(2, 8)}`, ...body } });
    expect(r.status, r.text).toBe(201);
    return (r.json as { token: string }).token;
  };

  /** One raw HTTP exchange: the status and headers, or "no answer" when none came in time. */
  function raw(opts: { method: string; path: string; headers: Record<string, string | number>; body?: Buffer; end?: boolean; waitMs?: number }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string } | "no answer"> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, method: opts.method, path: opts.path, headers: opts.headers });
      const timer = setTimeout(() => {
        req.destroy();
        resolve("no answer");
      }, opts.waitMs ?? 10_000);
      req.on("response", (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (body += c));
        res.on("end", () => {
          clearTimeout(timer);
          req.destroy();
          resolve({ status: res.statusCode!, headers: res.headers, body });
        });
      });
      req.on("error", (err) => {
        clearTimeout(timer);
        if ((err as NodeJS.ErrnoException).code === "ECONNRESET" || (err as NodeJS.ErrnoException).code === "EPIPE") resolve("no answer");
        else reject(err);
      });
      if (opts.body) req.write(opts.body);
      if (opts.end) req.end();
    });
  }

  beforeAll(async () => {
    w = await openApiWorld("hostile");
    port = Number(new URL(w.origin).port);
    // A second devbox, outside the named-devbox tokens below; and one with a declared port for previews.
    for (const [name, ports] of [["other", undefined], ["web", [{ port: 3000 }]]] as const) {
      const r = await w.call("POST", `/api/v1/teams/${w.team}/devboxes`, { body: { name, templateId: w.templateId, cpuMillis: 250, memoryMiB: 256, diskMiB: 1024, ...(ports ? { ports } : {}) } });
      expect(r.status, r.text).toBe(201);
      expect((await w.call("PUT", `/api/v1/teams/${w.team}/devboxes/${name}/state`, { body: { state: "stopped" } })).status).toBe(202);
    }
  });
  afterAll(async () => {
    await w?.close();
  });

  it("a body larger than any request needs is refused before it is read, with or without a declared length", async () => {
    // Unauthenticated, on a route anyone may call: 1 GiB announced, a few bytes sent.
    const declared = await raw({
      method: "POST",
      path: "/api/v1/device-authorizations",
      headers: { "Content-Type": "application/json", Origin: w.origin, "Content-Length": 1024 ** 3 },
      body: Buffer.from('{"clientName":"'),
    });
    expect(declared).not.toBe("no answer");
    expect(declared !== "no answer" && declared.status).toBe(413);
    // The same with a made-up bearer token (which skips the Origin check) and next-auth's own POST.
    for (const path of ["/api/v1/teams", "/api/auth/callback/credentials"]) {
      const r = await raw({ method: "POST", path, headers: { "Content-Type": "application/json", Authorization: "Bearer dbx_pat_x", "Content-Length": 512 * 1024 ** 2 }, body: Buffer.from("{") });
      expect(r !== "no answer" && r.status, path).toBe(413);
    }
    // No declared length (chunked): refused at once with 411 (server/body-limit.ts), nothing read.
    const chunked = await raw({ method: "POST", path: "/api/v1/teams", headers: { "Content-Type": "application/json", Authorization: "Bearer dbx_pat_x", "Transfer-Encoding": "chunked" }, body: Buffer.alloc(64 * 1024, 0x20) });
    expect(chunked !== "no answer" && chunked.status).toBe(411);
    // An ordinary request still works.
    expect((await w.call("GET", "/api/v1/user")).status).toBe(200);
  });

  it("a token restricted to named devboxes sees only those in the team's event stream", async () => {
    const token = await tokenFor({ scopes: ["devboxes:read"], team: w.team, devboxes: ["box"] });
    // The list endpoint already filters; the stream must say no more than the list.
    const list = await w.call("GET", `/api/v1/teams/${w.team}/devboxes`, { auth: token });
    expect((list.json as { items: { name: string }[] }).items.map((d) => d.name)).toEqual(["box"]);
    const ctl = new AbortController();
    const res = await fetch(`${w.origin}/api/v1/teams/${w.team}/devboxes/events`, { headers: { Authorization: `Bearer ${token}` }, signal: ctl.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = "";
    while (!/event: snapshot\ndata: .*\n\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ctl.abort();
    const data = JSON.parse(/event: snapshot\ndata: (.*)\n\n/.exec(text)![1]) as { name: string }[];
    expect(data.map((d) => d.name)).toEqual(["box"]);
    // A change to a devbox outside the restriction is not announced either.
    expect(text).not.toContain('"other"');
  });

  it("a token restricted to named devboxes cannot fork one of them into a devbox it does not name", async () => {
    const token = await tokenFor({ scopes: ["devboxes:write"], team: w.team, devboxes: ["box"] });
    // Authorization comes first: a refusal, not "snapshot/release not found" from past it.
    const snap = await w.call("POST", `/api/v1/teams/${w.team}/devboxes/box/snapshots/00000000-0000-4000-8000-000000000000/forks`, { auth: token, body: { name: "escape" } });
    expect(snap.status, snap.text).toBe(403);
    const rel = await w.call("POST", `/api/v1/teams/${w.team}/devboxes/box/releases/v1/forks`, { auth: token, body: { name: "escape" } });
    expect(rel.status, rel.text).toBe(403);
    // A name the token does name gets past authorization (to "not found" for the made-up snapshot).
    const named = await tokenFor({ scopes: ["devboxes:write"], team: w.team, devboxes: ["box", "escape"] });
    const ok = await w.call("POST", `/api/v1/teams/${w.team}/devboxes/box/snapshots/00000000-0000-4000-8000-000000000000/forks`, { auth: named, body: { name: "escape" } });
    expect(ok.status, ok.text).toBe(404);
    expect(ok.text).toContain("Snapshot");
  });

  it("the preview hand-off takes a browser session, never an API token (whose restrictions it would drop)", async () => {
    // A token for another devbox only, without even the read scope.
    const token = await tokenFor({ scopes: ["devboxes:ssh"], team: w.team, devboxes: ["box"] });
    const label = `3000--web--${w.team}`;
    const r = await w.call("GET", `/preview-auth?host=${label}&path=%2F`, { auth: token });
    expect(r.status, r.headers.get("location") ?? r.text).toBe(403);
    expect(r.headers.get("location")).toBeNull();
    // The owner's browser session still gets its code.
    const ok = await w.call("GET", `/preview-auth?host=${label}&path=%2F`);
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toContain(`${label}.localhost`);
  });

  it("the preview hand-off never sends the browser off the apps host (tab in the path)", async () => {
    const label = `3000--web--${w.team}`;
    // Browsers drop tabs and newlines from a URL: "/\t/evil.example" is "//evil.example".
    const r = await w.call("GET", `/preview-auth?host=${label}&path=${encodeURIComponent("/\t/evil.example/")}`);
    expect(r.status).toBe(303);
    const handoff = new URL(r.headers.get("location")!);
    expect(handoff.searchParams.get("next")).toBe("/");
    // The apps host's half, given a crafted `next` directly with a valid code.
    const again = new URL((await w.call("GET", `/preview-auth?host=${label}&path=%2F`)).headers.get("location")!);
    const exchanged = await raw({
      method: "GET",
      path: `/__devbox/auth?code=${encodeURIComponent(again.searchParams.get("code")!)}&next=${encodeURIComponent("/\t/evil.example/")}`,
      headers: { Host: `${label}.localhost:${port}` },
      end: true,
    });
    expect(exchanged !== "no answer" && exchanged.status).toBe(302);
    const location = exchanged !== "no answer" ? String(exchanged.headers.location) : "";
    expect(new URL(location, `http://${label}.localhost:${port}/`).host).toBe(`${label}.localhost:${port}`);
  });

  it("a token restricted to named devboxes is not told the others' names by the team's usage", async () => {
    expect((await w.call("PUT", `/api/v1/teams/${w.team}/devboxes/other/state`, { body: { state: "running" } })).status).toBe(202);
    try {
      const consumers = async (auth?: string) => ((await w.call("GET", `/api/v1/teams/${w.team}/usage`, auth ? { auth } : {})).json as { topConsumers: { name: string }[] }).topConsumers.map((c) => c.name);
      // The owner's session sees "other" among the top consumers once it has been sampled.
      await eventually("other sampled", async () => ((await consumers()).includes("other") ? true : undefined), 120_000);
      const token = await tokenFor({ scopes: ["devboxes:read"], team: w.team, devboxes: ["box"] });
      expect(await consumers(token)).not.toContain("other");
    } finally {
      await w.call("PUT", `/api/v1/teams/${w.team}/devboxes/other/state`, { body: { state: "stopped" } });
    }
  }, 180_000);
});
