// Two dashboard replicas on one PostgreSQL database: changes made through this process (replica A,
// the services the dashboard's handlers call) take effect on the very next request served by a
// second process (replica B, test/integration/preview-proxy-process.ts) whose preview access cache
// (lib/preview/access-cache.ts) has already allowed the same request. Each case shows B allowing
// first (twice: the second answer comes from B's cache), then refusing right after the change.
// Needs TEST_DATABASE_URL (scripts/postgres.sh prints one).
import "./terminal-env";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PreviewLevel } from "@/db/schema/preview-ports";
import { stopDevbox } from "@/lib/devboxes/service";
import { changePortLevel, createShareLink, revokeLink } from "@/lib/preview/service";
import { signShareLink } from "@/lib/preview/tokens";
import { findTeamForMember } from "@/lib/teams/queries";
import { addMember, removeMember } from "@/lib/teams/service";
import { APP_PORT, openPreviewWorld, startPreviewReplica, type PreviewReplica, type PreviewWorld } from "./preview-harness";
import { loopbackLookup } from "./loopback-lookup";

let w: PreviewWorld;
let b: PreviewReplica;
let agent: http.Agent;

beforeAll(async () => {
  w = await openPreviewWorld({ backend: "postgres" });
  b = await startPreviewReplica(w.world.url!);
  // One keep-alive connection to B, as a browser tab has: the change must not wait for a new one.
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
}, 300_000);

afterAll(async () => {
  agent?.destroy();
  b?.stop();
  await w?.close();
});

const ownerTeam = async () => (await findTeamForMember(w.db, w.team.slug, w.owner.id))!;
const setLevel = async (level: PreviewLevel) => changePortLevel(w.db, w.owner, await ownerTeam(), w.devbox, APP_PORT, level);

/** A request to replica B's preview URL: status, body and the app's view of the proxy's TCP connection. */
function onB(path: string, cookie?: string): Promise<{ status: number; body: string; peer?: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`http://${w.label}.localhost:${b.port}${path}`, { agent, lookup: loopbackLookup as never, headers: cookie ? { cookie } : {} }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => {
          let peer: string | undefined;
          try {
            peer = res.statusCode === 200 ? JSON.parse(body).peer : undefined;
          } catch {}
          resolve({ status: res.statusCode!, body, peer });
        });
      })
      .on("error", reject);
  });
}

const member = (): string => w.appsCookie(w.member);
const owner = (): string => w.appsCookie(w.owner);

describe("preview access across two dashboard replicas", () => {
  it("B reuses one keep-alive connection to the Pod for a run of requests", async () => {
    await setLevel("team");
    const peers = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await onB("/ka", member());
      expect(r.status).toBe(200);
      peers.add(r.peer!);
    }
    expect(peers.size).toBe(1);
  });

  it("a level lowered through A refuses B's next request; the owner stays allowed", async () => {
    await setLevel("team");
    expect((await onB("/a", member())).status).toBe(200);
    expect((await onB("/a", member())).status).toBe(200);
    await setLevel("private");
    expect((await onB("/a", member())).status).toBe(403);
    expect((await onB("/a", owner())).status).toBe(200);
  });

  it("a share link revoked through A is refused on B's next request", async () => {
    await setLevel("link");
    const l = await createShareLink(w.db, w.owner, await ownerTeam(), w.devbox, APP_PORT, { label: "replicas", expiresInHours: 1 });
    const cookie = `devbox_link=${encodeURIComponent(signShareLink(l.id))}`;
    expect((await onB("/l", cookie)).status).toBe(200);
    expect((await onB("/l", cookie)).status).toBe(200);
    await revokeLink(w.db, w.owner, await ownerTeam(), w.devbox, l.id);
    const r = await onB("/l", cookie);
    expect(r.status).toBe(403);
    expect(r.body).toContain("This link was revoked");
  });

  it("a member removed through A is refused on B's next request (and allowed again once re-added)", async () => {
    await setLevel("team");
    expect((await onB("/m", member())).status).toBe(200);
    expect((await onB("/m", member())).status).toBe(200);
    await removeMember(w.db, w.owner.id, w.team, w.member.id);
    expect((await onB("/m", member())).status).toBe(404);
    expect((await onB("/m", owner())).status).toBe(200);
    await addMember(w.db, w.owner.id, w.team, w.member.email, "viewer");
    expect((await onB("/m", member())).status).toBe(200);
  });

  it("a devbox stopped through A shows B's stopped page on the next request", async () => {
    await setLevel("public");
    expect((await onB("/s", owner())).status).toBe(200);
    expect((await onB("/s", owner())).status).toBe(200);
    await stopDevbox(w.db, w.team, w.owner.id, "web");
    // Its Pod is still being saved: "stopping", and nothing reaches the app any more.
    const r = await onB("/s", owner());
    expect(r.status).toBe(503);
    expect(r.body).toMatch(/web is (stopping|stopped)/);
    expect(r.body).toContain("Start the devbox");
  });
});
