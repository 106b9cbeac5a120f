// Preview URLs on the real bundled cluster: a node-runtime devbox runs test/fixtures/preview-app.cjs
// (HTTP + websocket echo), and the dashboard's preview proxy (server/preview.ts, the handlers
// server.ts installs) serves it on `3000--web--<team>.localhost:<port>`. Covers the access matrix
// (level × who), the hand-off code, share links, websockets (and cutting them when the level is
// lowered), 200 MB down / 50 MB up with checksums, forwarded headers, the path fallback, the
// refusal of app origins at the dashboard, and a stopped devbox's page.
import "./terminal-env";
import { createHash } from "node:crypto";
import http from "node:http";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { memberships } from "@/db/schema/memberships";
import { shareLinks } from "@/db/schema/share-links";
import type { User } from "@/db/schema/users";
import { findDevbox } from "@/lib/devboxes/queries";
import { stopDevbox } from "@/lib/devboxes/service";
import type { PreviewLevel } from "@/db/schema/preview-ports";
import { previewLabel } from "@/lib/preview/host";
import { revokeSession } from "@/lib/auth/session-version";
import { insertCode } from "@/lib/preview/queries";
import { changePortLevel, createShareLink, revokeLink } from "@/lib/preview/service";
import { signShareLink } from "@/lib/preview/tokens";
import { findTeamForMember } from "@/lib/teams/queries";
import { addMember, removeMember } from "@/lib/teams/service";
import { sessionCookie } from "./terminal-harness";
import { waitForState } from "./devbox-harness";
import { APP_PORT, openPreviewWorld, request, type PreviewWorld } from "./preview-harness";
import { loopbackLookup } from "./loopback-lookup";
import { PATH_MODE_CSP } from "@/server/preview";

let w: PreviewWorld;
const links: Record<"valid" | "expired" | "revoked", string> = { valid: "", expired: "", revoked: "" };

async function teamOf(u: User) {
  return (await findTeamForMember(w.db, w.team.slug, u.id))!;
}

async function setLevel(level: PreviewLevel) {
  await changePortLevel(w.db, w.owner, await teamOf(w.owner), w.devbox, APP_PORT, level);
}

beforeAll(async () => {
  w = await openPreviewWorld();
  // Links are made while the level is `link` (the only level that issues them).
  await setLevel("link");
  const owner = await teamOf(w.owner);
  for (const k of ["valid", "expired", "revoked"] as const) {
    const l = await createShareLink(w.db, w.owner, owner, w.devbox, APP_PORT, { label: k, expiresInHours: 24 });
    links[k] = signShareLink(l.id);
    if (k === "expired") await w.db.update(shareLinks).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(shareLinks.id, l.id));
    if (k === "revoked") await revokeLink(w.db, w.owner, owner, w.devbox, l.id);
  }
}, 300_000);

afterAll(async () => {
  await w?.close();
});

type Who = "owner" | "member" | "other" | "anonymous" | "valid link" | "expired link" | "revoked link";
const WHO: Who[] = ["owner", "member", "other", "anonymous", "valid link", "expired link", "revoked link"];

function cookieFor(who: Who): string | undefined {
  if (who === "owner") return w.appsCookie(w.owner);
  if (who === "member") return w.appsCookie(w.member);
  if (who === "other") return w.appsCookie(w.other);
  if (who.endsWith("link")) return `devbox_link=${encodeURIComponent(links[who.split(" ")[0] as keyof typeof links])}`;
  return undefined;
}

// 200 = the app answered; 302 = off to sign in (the dashboard's hand-off); 403 / 404 = our page.
const EXPECTED: Record<PreviewLevel, Record<Who, number>> = {
  private: { owner: 200, member: 403, other: 404, anonymous: 302, "valid link": 302, "expired link": 302, "revoked link": 302 },
  team: { owner: 200, member: 200, other: 404, anonymous: 302, "valid link": 302, "expired link": 302, "revoked link": 302 },
  link: { owner: 200, member: 200, other: 404, anonymous: 302, "valid link": 200, "expired link": 403, "revoked link": 403 },
  public: { owner: 200, member: 200, other: 200, anonymous: 200, "valid link": 200, "expired link": 200, "revoked link": 200 },
};

describe("preview proxy on the bundled cluster", () => {
  describe.each(["private", "team", "link", "public"] as const)("level %s", (level) => {
    beforeAll(async () => setLevel(level));
    it.each(WHO)("%s", async (who) => {
      const cookie = cookieFor(who);
      const r = await request(`${w.origin}/hello`, { headers: cookie ? { cookie } : {} });
      expect(r.status).toBe(EXPECTED[level][who]);
      if (r.status === 200) expect(JSON.parse(r.body).url).toBe("/hello");
      if (r.status === 302) expect(r.headers.location).toBe(`http://localhost:${w.port}/preview-auth?host=${w.label}&path=%2Fhello`);
    });
  });

  it("a level change takes effect on the next request (same connection reused)", async () => {
    await setLevel("team");
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<number>((resolve, reject) => {
        http.get(`${w.origin}/x`, { agent, lookup: loopbackLookup as never, headers: { cookie: w.appsCookie(w.member) } }, (res) => (res.resume(), resolve(res.statusCode!))).on("error", reject);
      });
    expect(await get()).toBe(200);
    await setLevel("private");
    expect(await get()).toBe(403);
    agent.destroy();
  });

  it("a removed member is refused on the next request (allowed before, from the cache); one keep-alive connection to the Pod", async () => {
    await setLevel("team");
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; peer?: string }>((resolve, reject) => {
        http.get(`${w.origin}/m`, { agent, lookup: loopbackLookup as never, headers: { cookie: w.appsCookie(w.member) } }, (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => resolve({ status: res.statusCode!, peer: res.statusCode === 200 ? JSON.parse(body).peer : undefined }));
        }).on("error", reject);
      });
    const peers = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const r = await get();
      expect(r.status).toBe(200);
      peers.add(r.peer!);
    }
    expect(peers.size).toBe(1); // the proxy's agent keeps its connection to the Pod
    await removeMember(w.db, w.owner.id, w.team, w.member.id);
    expect((await get()).status).toBe(404);
    await addMember(w.db, w.owner.id, w.team, w.member.email, "viewer");
    expect((await get()).status).toBe(200);
    agent.destroy();
  });

  it("the hand-off code sets a host-only cookie, works once, and only for its host", async () => {
    await setLevel("team");
    await insertCode(w.db, "code-one", { userId: w.member.id, host: w.label, sessionVersion: w.member.sessionVersion });
    const r = await request(`${w.origin}/__devbox/auth?code=code-one&next=%2Fafter%3Fq%3D1`);
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe("/after?q=1");
    const set = String(r.headers["set-cookie"]);
    expect(set).toMatch(/^devbox_preview=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/); // no Domain: host-only
    const cookie = set.split(";")[0];
    expect((await request(`${w.origin}/after`, { headers: { cookie } })).status).toBe(200);
    // The cookie is bound to its host: the id-form label of the same port does not accept it.
    const idOrigin = `http://${previewLabel(APP_PORT, { ...w.devbox, name: "x".repeat(60) }, w.team.slug)}.localhost:${w.port}`;
    expect((await request(`${idOrigin}/after`, { headers: { cookie } })).status).toBe(302);
    expect((await request(`${w.origin}/__devbox/auth?code=code-one&next=/`)).status).toBe(400); // replay
    await insertCode(w.db, "code-two", { userId: w.member.id, host: "9999--other--team", sessionVersion: w.member.sessionVersion });
    expect((await request(`${w.origin}/__devbox/auth?code=code-two&next=/`)).status).toBe(400); // other host
    // An open redirect through `next` is not possible.
    await insertCode(w.db, "code-three", { userId: w.member.id, host: w.label, sessionVersion: w.member.sessionVersion });
    expect((await request(`${w.origin}/__devbox/auth?code=code-three&next=//evil.example/`)).headers.location).toBe("/");
  });

  it("an apps cookie handed off from a session stops on that session's sign-out; one from the user's other session goes on", async () => {
    await setLevel("team");
    const handOff = async (code: string, sessionId: string) => {
      await insertCode(w.db, code, { userId: w.member.id, host: w.label, sessionVersion: w.member.sessionVersion, sessionId });
      return String((await request(`${w.origin}/__devbox/auth?code=${code}&next=/`)).headers["set-cookie"]).split(";")[0];
    };
    const [gone, kept] = [await handOff("code-gone", "sid-gone"), await handOff("code-kept", "sid-kept")];
    for (const cookie of [gone, kept]) expect((await request(`${w.origin}/`, { headers: { cookie } })).status).toBe(200);
    await revokeSession(w.db, { userId: w.member.id, sessionVersion: w.member.sessionVersion, sessionId: "sid-gone" });
    expect((await request(`${w.origin}/`, { headers: { cookie: gone } })).status).toBe(302); // off to sign in again
    expect((await request(`${w.origin}/`, { headers: { cookie: kept } })).status).toBe(200);
  });

  it("a share link stops on the next request once its creator is removed from the team", async () => {
    await setLevel("link");
    await w.db.update(memberships).set({ role: "developer" }).where(and(eq(memberships.teamId, w.team.id), eq(memberships.userId, w.member.id)));
    try {
      const l = await createShareLink(w.db, w.member, await teamOf(w.member), w.devbox, APP_PORT, { label: "by member", expiresInHours: 24 });
      const cookie = `devbox_link=${encodeURIComponent(signShareLink(l.id))}`;
      expect((await request(`${w.origin}/`, { headers: { cookie } })).status).toBe(200);
      await removeMember(w.db, w.owner.id, w.team, w.member.id);
      const refused = await request(`${w.origin}/`, { headers: { cookie } });
      expect(refused.status).toBe(403);
      expect(refused.body).toContain("This link no longer works");
      // The owner's link of the same port still opens it.
      expect((await request(`${w.origin}/`, { headers: { cookie: cookieFor("valid link")! } })).status).toBe(200);
    } finally {
      await w.db.delete(memberships).where(and(eq(memberships.teamId, w.team.id), eq(memberships.userId, w.member.id)));
      await addMember(w.db, w.owner.id, w.team, w.member.email, "viewer");
    }
  });

  it("a share link in the URL becomes this host's cookie and leaves the address bar", async () => {
    await setLevel("link");
    const r = await request(`${w.origin}/page?a=1&devbox_share=${encodeURIComponent(links.valid)}`);
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe("/page?a=1");
    const cookie = String(r.headers["set-cookie"]).split(";")[0];
    expect((await request(`${w.origin}/page?a=1`, { headers: { cookie } })).status).toBe(200);
    // A link of this port is no link for another label (forged, or other devbox): anonymous → sign in.
    expect((await request(`${w.origin}/`, { headers: { cookie: `devbox_link=${links.valid.slice(0, -2)}xx` } })).status).toBe(302);
  });

  it("revoking a share link refuses its next request and cuts its open websocket at once", async () => {
    await setLevel("link");
    const owner = await teamOf(w.owner);
    const l = await createShareLink(w.db, w.owner, owner, w.devbox, APP_PORT, { label: "revoked while open", expiresInHours: 1 });
    const cookie = `devbox_link=${encodeURIComponent(signShareLink(l.id))}`;
    expect((await request(`${w.origin}/r`, { headers: { cookie } })).status).toBe(200); // the holder is allowed first
    const ws = await new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(`ws://${w.label}.localhost:${w.port}/echo`, { lookup: loopbackLookup as never, headers: { cookie } });
      s.once("open", () => resolve(s));
      s.once("error", reject);
    });
    const closed = new Promise<number>((r) => ws.once("close", (code) => r(code)));
    await revokeLink(w.db, w.owner, owner, w.devbox, l.id);
    expect(await closed).toBe(1006); // cut by the proxy during revokeLink's re-check, not a later round
    expect((await request(`${w.origin}/r`, { headers: { cookie } })).status).toBe(403);
  });

  it("the id-form label (names too long for one DNS label) reaches the same port", async () => {
    await setLevel("public");
    const idLabel = `${APP_PORT}--${w.devbox.id.replace(/-/g, "")}`;
    const r = await request(`http://${idLabel}.localhost:${w.port}/id`);
    expect(r.status).toBe(200);
  });

  it("forwards X-Forwarded-* and strips the proxy's and the dashboard's cookies", async () => {
    await setLevel("team");
    const r = await request(`${w.origin}/h`, { headers: { cookie: `${w.appsCookie(w.owner)}; app=1; devbox_link=x`, "x-forwarded-for": "6.6.6.6", "x-forwarded-prefix": "/evil" } });
    const seen = JSON.parse(r.body).headers;
    expect(seen["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen["x-forwarded-host"]).toBe(`${w.label}.localhost:${w.port}`);
    expect(seen["x-forwarded-proto"]).toBe("http");
    expect(seen["x-forwarded-prefix"]).toBeUndefined(); // only the path fallback sets it
    expect(seen.cookie).toBe("app=1");
  });

  it("websocket echo; lowering the level cuts the member's open websocket, the owner's stays", async () => {
    await setLevel("team");
    const open = (user: User) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://${w.label}.localhost:${w.port}/echo`, { lookup: loopbackLookup as never, headers: { cookie: w.appsCookie(user) } });
        ws.once("open", () => resolve(ws));
        ws.once("error", reject);
      });
    const echo = (ws: WebSocket, msg: string) => new Promise<string>((resolve) => (ws.once("message", (d) => resolve(d.toString())), ws.send(msg)));
    const mine = await open(w.owner);
    const theirs = await open(w.member);
    expect(await echo(mine, "hello")).toBe("hello");
    expect(await echo(theirs, "x".repeat(100_000))).toHaveLength(100_000);
    const closed = new Promise<number>((r) => theirs.once("close", (code) => r(code)));
    await setLevel("private");
    expect(await closed).toBe(1006); // cut by the proxy, no close frame
    expect(await echo(mine, "still here")).toBe("still here");
    mine.close();
    // Refusals of the handshake are HTTP statuses: anonymous 401, member 403.
    const refused = (cookie?: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://${w.label}.localhost:${w.port}/echo`, { lookup: loopbackLookup as never, headers: cookie ? { cookie } : {} });
        ws.once("unexpected-response", (_req, res) => resolve(res.statusCode!));
        ws.once("open", () => resolve(101));
        ws.once("error", () => {});
      });
    expect(await refused()).toBe(401);
    // Another app of the apps domain (same site: the cookie would ride along) cannot open it.
    const fromSibling = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://${w.label}.localhost:${w.port}/echo`, { lookup: loopbackLookup as never, origin: `http://3000--evil--${w.team.slug}.localhost:${w.port}`, headers: { cookie: w.appsCookie(w.owner) } });
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode!));
      ws.once("open", () => resolve(101));
      ws.once("error", () => {});
    });
    expect(fromSibling).toBe(403);
    const sameOrigin = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://${w.label}.localhost:${w.port}/echo`, { lookup: loopbackLookup as never, origin: w.origin, headers: { cookie: w.appsCookie(w.owner) } });
      ws.once("open", () => (ws.close(), resolve(101)));
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode!));
    });
    expect(sameOrigin).toBe(101);
    const post = (origin: string) => request(`${w.origin}/form`, { method: "POST", headers: { origin, cookie: w.appsCookie(w.owner) }, body: "x" });
    expect((await post(`http://3000--evil--${w.team.slug}.localhost:${w.port}`)).status).toBe(403);
    expect((await post(w.origin)).status).toBe(200);
    expect(await refused(w.appsCookie(w.member))).toBe(403);
    expect(await refused(w.appsCookie(w.owner))).toBe(101);
  });

  it("200 MB download and 50 MB upload stream through with the right checksums", async () => {
    await setLevel("public");
    const want = createHash("sha256");
    const mib = Buffer.alloc(1 << 20, 7);
    for (let i = 0; i < 200; i++) want.update(mib);
    const got = await new Promise<{ sha: string; bytes: number }>((resolve, reject) => {
      http.get(`${w.origin}/big?mb=200`, { lookup: loopbackLookup as never }, (res) => {
        const h = createHash("sha256");
        let bytes = 0;
        res.on("data", (c: Buffer) => (h.update(c), (bytes += c.length)));
        res.on("end", () => resolve({ sha: h.digest("hex"), bytes }));
      }).on("error", reject);
    });
    expect(got).toEqual({ sha: want.digest("hex"), bytes: 200 << 20 });

    const up = Buffer.alloc(50 << 20);
    for (let i = 0; i < up.length; i += 4096) up.writeUInt32BE(i, i);
    const r = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${w.origin}/upload`, { method: "POST", lookup: loopbackLookup as never, headers: { "content-type": "application/octet-stream" } }, (res) => {
        let b = "";
        res.on("data", (c) => (b += c));
        res.on("end", () => resolve(b));
      });
      req.on("error", reject);
      // Chunked, in 1 MiB writes: nothing is buffered whole on the way.
      let i = 0;
      const pump = () => {
        while (i < up.length) {
          const chunk = up.subarray(i, i + (1 << 20));
          i += chunk.length;
          if (!req.write(chunk)) return req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    expect(JSON.parse(r)).toEqual({ bytes: 50 << 20, sha256: createHash("sha256").update(up).digest("hex") });
  }, 120_000);

  it("an app's origin is refused at the dashboard (any method, no CORS headers); the dashboard's own is not", async () => {
    const api = `http://localhost:${w.port}/api/v1/teams`;
    const fromApp = await request(api, { headers: { origin: w.origin, cookie: await sessionCookie(w.owner.id) } });
    expect(fromApp.status).toBe(403);
    expect(fromApp.headers["access-control-allow-origin"]).toBeUndefined();
    expect(fromApp.headers["access-control-allow-credentials"]).toBeUndefined();
    const fromDashboard = await request(api, { headers: { origin: `http://localhost:${w.port}`, cookie: await sessionCookie(w.owner.id) } });
    expect(fromDashboard.status).toBe(200);
    expect(fromDashboard.body).toBe("dashboard");
  });

  it("path fallback /p/<team>/<devbox>/<port>/: dashboard session, sandboxed, dashboard cookie not forwarded", async () => {
    await setLevel("team");
    const base = `http://localhost:${w.port}/p/${w.team.slug}/web/${APP_PORT}`;
    expect((await request(base)).status).toBe(308);
    const anon = await request(`${base}/a`);
    expect(anon.status).toBe(302);
    expect(anon.headers.location).toBe(`/login?callbackUrl=${encodeURIComponent(`/p/${w.team.slug}/web/${APP_PORT}/a`)}`);
    const session = await sessionCookie(w.member.id);
    const r = await request(`${base}/a?b=1`, { headers: { cookie: `${session}; app=2` } });
    expect(r.status).toBe(200);
    expect(r.headers["content-security-policy"]).toMatch(/^sandbox /);
    // Without allow-same-origin the page's origin is opaque: it cannot read the dashboard's pages.
    expect(r.headers["content-security-policy"]).not.toContain("allow-same-origin");
    const seen = JSON.parse(r.body);
    expect(seen.url).toBe("/a?b=1");
    expect(seen.headers.cookie).toBe("app=2");
    expect(seen.headers["x-forwarded-prefix"]).toBe(`/p/${w.team.slug}/web/${APP_PORT}`);
    expect((await request(`${base}/a`, { headers: { cookie: await sessionCookie(w.other.id) } })).status).toBe(404);
    // An app's page (same site as the dashboard, so its cookie rides along) cannot use the path
    // fallback to reach this port with the member's session; the dashboard's own page can.
    const post = (origin: string) => request(`${base}/form`, { method: "POST", headers: { origin, cookie: session }, body: "x" });
    expect((await post(`http://3000--evil--${w.team.slug}.localhost:${w.port}`)).status).toBe(403);
    expect((await request(`${base}/a`, { headers: { origin: w.origin, cookie: session } })).status).toBe(403);
    expect((await post(`http://localhost:${w.port}`)).status).toBe(200);
  });

  it("path fallback: the app's own CSP, Clear-Site-Data and dashboard-named cookies do not reach the dashboard's origin", async () => {
    await setLevel("team");
    const prefix = `/p/${w.team.slug}/web/${APP_PORT}`;
    const r = await request(`http://localhost:${w.port}${prefix}/own-headers`, { headers: { cookie: await sessionCookie(w.member.id) } });
    expect(r.status).toBe(200);
    expect(r.body).toBe("own headers");
    expect(r.headers["content-security-policy"]).toBe(PATH_MODE_CSP); // the app's "default-src *" would lift the sandbox
    expect(r.headers["clear-site-data"]).toBeUndefined();
    // Its own cookie stays, under its prefix and host-only; the planted session cookie is dropped.
    expect(r.headers["set-cookie"]).toEqual([`app=1; Path=${prefix}/`]);
    // On its own apps host the app's headers are its business: passed as sent.
    const own = await request(`${w.origin}/own-headers`, { headers: { cookie: w.appsCookie(w.member) } });
    expect(own.headers["content-security-policy"]).toBe("default-src *");
    expect(own.headers["set-cookie"]).toHaveLength(2);
  });

  it("a stopped devbox shows a clear page: a start link for those who may, none for the others", async () => {
    await setLevel("public");
    await stopDevbox(w.db, w.team, w.owner.id, "web");
    await waitForState(w.db, w.team, "web", "Stopped", 180_000);
    const owner = await request(`${w.origin}/`, { headers: { cookie: w.appsCookie(w.owner) } });
    expect(owner.status).toBe(503);
    expect(owner.body).toContain("web is stopped");
    expect(owner.body).toContain('<form method="post" action="/?__devbox_wake=1">');
    const anon = await request(`${w.origin}/`);
    expect(anon.status).toBe(503);
    expect(anon.body).not.toContain("preview-page-action");

    // Wake on access: the button's POST (same origin only) starts it, then a progress page reloads itself.
    const wake = (origin: string | undefined, cookie?: string) =>
      request(`${w.origin}/?__devbox_wake=1`, { method: "POST", headers: { ...(cookie ? { cookie } : {}), ...(origin ? { origin } : {}) } });
    expect((await wake(undefined)).status).toBe(503); // anonymous: the stopped page again, nothing started
    expect((await wake("http://evil.localhost:1", w.appsCookie(w.owner))).status).toBe(403); // another site
    expect((await findDevbox(w.db, w.team.id, "web"))!.desiredState).toBe("stopped");
    const woke = await wake(w.origin, w.appsCookie(w.owner));
    expect(woke.status).toBe(303);
    expect(woke.headers.location).toBe("/");
    expect((await findDevbox(w.db, w.team.id, "web"))!.desiredState).toBe("running");
    const starting = await request(`${w.origin}/`, { headers: { cookie: w.appsCookie(w.owner) } });
    if (starting.status === 503) {
      expect(starting.body).toContain("Starting web");
      expect(starting.headers.refresh).toBe("3");
    }
    await waitForState(w.db, w.team, "web", "Running", 180_000);
  }, 300_000);
});
