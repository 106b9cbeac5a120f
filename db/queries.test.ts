import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { Database } from "./client";
import { memberships } from "./schema/memberships";
import { teams } from "./schema/teams";
import { users } from "./schema/users";
import { testBackends } from "./test-backends";
import { listTeamAudit, recordAudit } from "@/lib/audit/record";
import { ensureAuthSecret, isSignupOpen, setSignupOpen } from "@/lib/settings/instance";
import { findTeamForMember, listMembers, listTeamsForUser } from "@/lib/teams/queries";
import { countUsers, findUserByEmail } from "@/lib/users/queries";

describe.each(testBackends())("metadata DB on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
  });
  afterAll(async () => close?.());

  it("applies every migration to an empty database", async () => {
    const rows = await db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    const names = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows).map((r) => (r as { table_name: string }).table_name);
    expect(names).toEqual(expect.arrayContaining(["audit_events", "instance_settings", "memberships", "teams", "users"]));
  });

  it("keeps emails unique", async () => {
    await db.insert(users).values({ id: "u1", email: "ada@example.com", name: "Ada" });
    await expect(db.insert(users).values({ id: "u2", email: "ada@example.com", name: "Other" })).rejects.toThrow();
    expect(await countUsers(db)).toBe(1);
    expect((await findUserByEmail(db, "ada@example.com"))?.id).toBe("u1");
  });

  it("lists a user's teams with their role, personal team first, and hides others' teams", async () => {
    await db.insert(users).values({ id: "u3", email: "bob@example.com", name: "Bob" });
    await db.insert(teams).values([
      { id: "t1", slug: "ada-x1", displayName: "Ada's team", namespace: "devbox-ada-x1", personal: true },
      { id: "t2", slug: "apollo", displayName: "Apollo", namespace: "devbox-apollo" },
      { id: "t3", slug: "bobs", displayName: "Bob's", namespace: "devbox-bobs", personal: true },
    ]);
    await db.insert(memberships).values([
      { teamId: "t2", userId: "u1", role: "developer" },
      { teamId: "t1", userId: "u1", role: "owner" },
      { teamId: "t3", userId: "u3", role: "owner" },
      { teamId: "t2", userId: "u3", role: "admin" },
    ]);
    const mine = await listTeamsForUser(db, "u1");
    expect(mine.map((t) => [t.slug, t.role])).toEqual([
      ["ada-x1", "owner"],
      ["apollo", "developer"],
    ]);
    expect(await findTeamForMember(db, "bobs", "u1")).toBeUndefined();
    expect((await findTeamForMember(db, "apollo", "u3"))?.role).toBe("admin");
    expect((await listMembers(db, "t2")).map((m) => m.email)).toEqual(["ada@example.com", "bob@example.com"]);
  });

  it("cascades memberships when a team is deleted", async () => {
    await db.delete(teams).where(sql`${teams.id} = 't2'`);
    expect((await listTeamsForUser(db, "u3")).map((t) => t.slug)).toEqual(["bobs"]);
  });

  it("rolls back a failed transaction completely", async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(users).values({ id: "u9", email: "carol@example.com", name: "Carol" });
        throw new Error("namespace creation failed");
      }),
    ).rejects.toThrow("namespace creation failed");
    expect(await findUserByEmail(db, "carol@example.com")).toBeUndefined();
  });

  it("records audit events per team, newest first", async () => {
    await recordAudit(db, { actorId: "u1", teamId: "t1", action: "team.create", target: "ada-x1" });
    // PGlite's clock can give two statements in a row the same timestamp: order is by time.
    await new Promise((r) => setTimeout(r, 5));
    await recordAudit(db, { actorId: "u1", teamId: "t1", action: "team.member.add", target: "bob@example.com", details: { role: "viewer" } });
    const events = await listTeamAudit(db, "t1");
    expect(events.map((e) => e.action)).toEqual(["team.member.add", "team.create"]);
    expect(events[0].details).toEqual({ role: "viewer" });
  });

  it("stores instance settings: one auth secret, and the sign-up switch", async () => {
    const saved = process.env.NEXTAUTH_SECRET;
    delete process.env.NEXTAUTH_SECRET;
    try {
      const a = await ensureAuthSecret(db);
      const b = await ensureAuthSecret(db);
      expect(a).toHaveLength(43);
      expect(b).toBe(a);
    } finally {
      if (saved !== undefined) process.env.NEXTAUTH_SECRET = saved;
    }
    expect(await isSignupOpen(db)).toBe(true);
    await setSignupOpen(db, false);
    expect(await isSignupOpen(db)).toBe(false);
  });
});
