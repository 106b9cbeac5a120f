import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./client";
import { auditEvents } from "./schema/audit-events";
import { devboxes } from "./schema/devboxes";
import { teams, type Team } from "./schema/teams";
import { users } from "./schema/users";
import { testBackends } from "./test-backends";
import { teamAuditPage } from "@/lib/audit/service";
import { INVALID_CURSOR } from "@/lib/api/pagination";
import { AppError } from "@/lib/errors";

// GET /api/v1/teams/{team}/audit pages the trail in SQL (it grows without bound): a walk with a
// small limit sees every event once, newest first, also when events share a millisecond (the
// cursor keeps PostgreSQL's microseconds) and when new events arrive between pages.

describe.each(testBackends())("the audit trail, paged, on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;
  let team: Team;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    await db.insert(users).values([{ id: "ann", email: "ann@example.com", name: "Ann" }, { id: "bob", email: "bob@example.com", name: "Bob" }]);
    [team] = await db.insert(teams).values({ id: "t1", slug: "t1", displayName: "T1", namespace: "devbox-t1" }).returning();
    await db.insert(teams).values({ id: "t2", slug: "t2", displayName: "T2", namespace: "devbox-t2" });
    await db.insert(devboxes).values({ id: "0f8fad5b-d9cb-469f-a165-70867728950e", teamId: "t1", name: "web", templateId: "x", image: "x", cpuMillis: 1, memoryMiB: 1, diskMiB: 1, ports: [], user: "u", workingDir: "/", createdBy: "ann" });
    const at = (s: string) => sql`${s}::timestamptz`;
    await db.insert(auditEvents).values([
      // Three in one millisecond, told apart by microseconds; two in the very same microsecond (the id breaks the tie).
      { teamId: "t1", actorId: "ann", action: "share_link.created", target: "web", at: at("2026-01-01 10:00:00.123401+00") },
      { teamId: "t1", actorId: "ann", action: "share_link.revoked", target: "web", at: at("2026-01-01 10:00:00.123402+00") },
      { teamId: "t1", actorId: "bob", action: "team.invite.created", target: "x", at: at("2026-01-01 10:00:00.123403+00") },
      { teamId: "t1", actorId: "bob", action: "preview.level_set", target: "web", at: at("2026-01-01 10:00:01+00") },
      { teamId: "t1", actorId: "bob", action: "preview.team_max_set", at: at("2026-01-01 10:00:01+00") },
      { teamId: "t1", actorId: "gone", action: "terminal.share.granted", target: "other", details: { devboxId: "0f8fad5b-d9cb-469f-a165-70867728950e" }, at: at("2026-01-01 09:00:00+00") },
      { teamId: "t2", actorId: "ann", action: "share_link.created", target: "web", at: at("2026-01-01 11:00:00+00") },
    ]);
  });
  afterAll(async () => close?.());

  async function walk(q: { devbox?: string; user?: string; kind?: string }, limit: number, between?: () => Promise<void>) {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await teamAuditPage(db, team, { ...q, limit, cursor });
      expect(page.items.length).toBeLessThanOrEqual(limit);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
      await between?.();
    } while (cursor && pages < 20);
    return { seen, pages };
  }

  it("walks every event of the team once, newest first, in pages of any size", async () => {
    const all = (await teamAuditPage(db, team, { limit: 200 })).items;
    expect(all).toHaveLength(6);
    expect(all.map((e) => e.at)).toEqual([...all.map((e) => e.at)].sort().reverse());
    expect(all.at(-1)).toMatchObject({ action: "terminal.share.granted", actorEmail: null, target: "other" });
    expect(all.find((e) => e.action === "team.invite.created")).toMatchObject({ actorId: "bob", actorEmail: "bob@example.com", details: {} });
    for (const limit of [1, 2, 4]) {
      const { seen, pages } = await walk({}, limit);
      expect(seen).toEqual(all.map((e) => e.id));
      expect(pages).toBe(Math.ceil(6 / limit));
    }
  });

  it("events recorded between pages neither repeat nor shift the walk", async () => {
    const before = (await teamAuditPage(db, team, { limit: 200 })).items.map((e) => e.id);
    let n = 0;
    const { seen } = await walk({}, 2, async () => {
      await db.insert(auditEvents).values({ teamId: "t1", actorId: "ann", action: `devbox.meanwhile_${n++}` });
    });
    expect(seen).toEqual(before);
  });

  it("filters like the Audit page: devbox (by name or id in details), user, kind prefix", async () => {
    const actions = async (q: { devbox?: string; user?: string; kind?: string }) => (await walk(q, 2)).seen.length;
    expect(await actions({ devbox: "web" })).toBe(4);
    expect(await actions({ user: "bob" })).toBe(3);
    expect(await actions({ kind: "share_link" })).toBe(2);
    expect(await actions({ kind: "share" })).toBe(0);
    expect(await actions({ kind: "terminal.share" })).toBe(1);
    expect(await actions({ devbox: "nope" })).toBe(0);
  });

  it("refuses a cursor it did not make (nothing reaches SQL)", async () => {
    for (const cursor of ["%%", "bm90LWEtY3Vyc29y", Buffer.from("2026-13-45 99:00:00+00|0f8fad5b-d9cb-469f-a165-70867728950e").toString("base64url"), Buffer.from("2026-01-01 10:00:00+00|x").toString("base64url")]) {
      const e = await teamAuditPage(db, team, { limit: 2, cursor }).catch((x) => x);
      expect(e, cursor).toBeInstanceOf(AppError);
      // The same answer as every paged list's (lib/api/pagination.ts invalidCursor).
      expect(e).toMatchObject({ code: "bad_request", message: INVALID_CURSOR, field: "cursor" });
    }
  });
});
