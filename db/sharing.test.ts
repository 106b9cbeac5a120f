import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "./client";
import { devboxes } from "./schema/devboxes";
import { memberships } from "./schema/memberships";
import { shareLinks } from "./schema/share-links";
import { teamInvites } from "./schema/team-invites";
import { teams, type Team } from "./schema/teams";
import { users, type User } from "./schema/users";
import { testBackends } from "./test-backends";
import { listAuditPage } from "@/lib/audit/queries";
import { AppError } from "@/lib/errors";
import { acceptInvite, createInvite, inspectInvite, pendingInvites, revokeInvite } from "@/lib/invites/service";
import { authorizePreview } from "@/lib/authz/preview-access";
import { accessFacts } from "@/lib/preview/access-query";
import { claimCode, insertCode, setInstanceMaxLevel, setTeamMaxLevel } from "@/lib/preview/queries";
import { changePortLevel, createShareLink, listDevboxShareLinks, revokeLink } from "@/lib/preview/service";

process.env.NEXTAUTH_SECRET ??= "db-test-secret";

const codeOf = (e: unknown) => (e instanceof AppError ? e.code : e);

describe.each(testBackends())("sharing models on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;
  let owner: User, joiner: User, joiner2: User, admin: User;
  let team: Team;
  const asTeam = (role: "owner" | "admin" = "owner") => ({ ...team, role });
  let devbox: typeof devboxes.$inferSelect;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    [owner, joiner, joiner2, admin] = await db
      .insert(users)
      .values(["owner", "joiner", "joiner2", "admin"].map((id) => ({ id, email: `${id}@example.com`, name: id })))
      .returning();
    [team] = await db.insert(teams).values({ id: "t1", slug: "t1", displayName: "T1", namespace: "devbox-t1" }).returning();
    await db.insert(memberships).values([{ teamId: "t1", userId: "owner", role: "owner" }, { teamId: "t1", userId: "admin", role: "admin" }]);
    [devbox] = await db
      .insert(devboxes)
      .values({ id: "0f8fad5b-d9cb-469f-a165-70867728950e", teamId: "t1", name: "web", templateId: "x", image: "x", cpuMillis: 1, memoryMiB: 1, diskMiB: 1, ports: [{ port: 3000, name: "http" }], user: "u", workingDir: "/", createdBy: "owner" })
      .returning();
  });
  afterAll(async () => close?.());
  const facts = () => accessFacts(db, { kind: "id", port: 3000, devboxId: devbox.id }, "owner", null);
  const linkState = async (id: string, _devboxId: string, port: number, now?: Date) =>
    (await authorizePreview(db, { kind: "id", port, devboxId: devbox.id }, { session: null, linkId: id }, now)).link;

  it("port levels: private by default, capped by the team maximum, refused above it", async () => {
    expect(await facts()).toMatchObject({ stored: "private", viewer: { sessionVersion: 0, role: "owner" } });
    expect((await accessFacts(db, { kind: "names", port: 3000, team: "t1", devbox: "web" }, "joiner", null))?.viewer).toEqual({ sessionVersion: 0, role: null, signedOut: false });
    expect(await accessFacts(db, { kind: "names", port: 3000, team: "nope", devbox: "web" }, "owner", null)).toBeNull();
    await changePortLevel(db, owner, asTeam(), devbox, 3000, "public");
    await setTeamMaxLevel(db, team.id, "link");
    expect(await facts()).toMatchObject({ stored: "public", teamMax: "link" });
    expect((await authorizePreview(db, { kind: "id", port: 3000, devboxId: devbox.id }, { session: null, linkId: null })).level).toBe("link");
    expect(codeOf(await changePortLevel(db, owner, asTeam(), devbox, 3000, "public").catch((e) => e))).toBe("forbidden");
    expect(codeOf(await changePortLevel(db, owner, asTeam(), devbox, 4000, "team").catch((e) => e))).toBe("not_found");
    await changePortLevel(db, owner, asTeam(), devbox, 3000, "link"); // allowed
  });

  it("share links: scoped to one port, expire, revoke once, list who shared", async () => {
    const l = await createShareLink(db, owner, asTeam(), devbox, 3000, { label: "client", expiresInHours: 24 });
    expect(l.url).toContain("devbox_share=");
    expect(await linkState(l.id, devbox.id, 3000)).toBe("valid");
    expect(await linkState(l.id, devbox.id, 3001)).toBe("none");
    expect(await linkState(l.id, devbox.id, 3000, new Date(Date.now() + 25 * 3600_000))).toBe("expired");
    await revokeLink(db, owner, asTeam(), devbox, l.id);
    await revokeLink(db, owner, asTeam(), devbox, l.id); // idempotent
    expect(await linkState(l.id, devbox.id, 3000)).toBe("revoked");
    const [listed] = await listDevboxShareLinks(db, devbox, 3000);
    expect(listed).toMatchObject({ id: l.id, label: "client", sharedBy: "owner@example.com", state: "revoked" });
    expect(await listDevboxShareLinks(db, devbox, 3001)).toEqual([]); // another port's list
    const audit = (await listAuditPage(db, team.id, {})).map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(["share_link.created", "share_link.revoked", "preview.level_set"]));
    expect(audit.filter((a) => a === "share_link.revoked")).toHaveLength(1);
  });

  it("a share link stops working once its creator may no longer share (left the team, or below developer), as invites do", async () => {
    await changePortLevel(db, owner, asTeam(), devbox, 3000, "link");
    const l = await createShareLink(db, admin, asTeam("admin"), devbox, 3000, { label: "by admin", expiresInHours: 24 });
    const decision = async () => (await authorizePreview(db, { kind: "id", port: 3000, devboxId: devbox.id }, { session: null, linkId: l.id })).decision;
    const roleOfAdmin = (role: "viewer" | "admin") => db.update(memberships).set({ role }).where(and(eq(memberships.teamId, "t1"), eq(memberships.userId, "admin")));
    expect(await decision()).toBe("allow");
    try {
      await roleOfAdmin("viewer");
      expect(await linkState(l.id, devbox.id, 3000)).toBe("creator_gone");
      expect(await decision()).toBe("link_creator_gone");
      // The list says so too (one condition: lib/preview/queries.ts creatorMayShareSql).
      expect((await listDevboxShareLinks(db, devbox, 3000)).find((x) => x.id === l.id)?.state).toBe("creator_gone");
      await roleOfAdmin("admin");
      expect(await decision()).toBe("allow"); // the authority is read at each request, not frozen
      expect((await listDevboxShareLinks(db, devbox, 3000)).find((x) => x.id === l.id)?.state).toBe("active");
      await db.delete(memberships).where(and(eq(memberships.teamId, "t1"), eq(memberships.userId, "admin")));
      expect(await decision()).toBe("link_creator_gone");
      // A member of the team still gets in (the `link` level lets members in without a link).
      expect((await authorizePreview(db, { kind: "id", port: 3000, devboxId: devbox.id }, { session: { userId: "owner", sessionVersion: 0 }, linkId: l.id })).decision).toBe("allow");
    } finally {
      await db.insert(memberships).values({ teamId: "t1", userId: "admin", role: "admin" }).onConflictDoUpdate({ target: [memberships.teamId, memberships.userId], set: { role: "admin" } });
    }
  });

  it("share links need the level in force to be `link`", async () => {
    await changePortLevel(db, owner, asTeam(), devbox, 3000, "team");
    expect(codeOf(await createShareLink(db, owner, asTeam(), devbox, 3000, { label: "", expiresInHours: 1 }).catch((e) => e))).toBe("conflict");
  });

  it("the instance maximum caps every team and refuses levels above it", async () => {
    await setInstanceMaxLevel(db, "team");
    expect(codeOf(await changePortLevel(db, owner, asTeam(), devbox, 3000, "link").catch((e) => e))).toBe("forbidden");
    expect((await authorizePreview(db, { kind: "id", port: 3000, devboxId: devbox.id }, { session: null, linkId: null })).level).toBe("team");
    await setInstanceMaxLevel(db, "public");
  });

  it("hand-off codes: one use, one host, one minute", async () => {
    await insertCode(db, "c1", { userId: "owner", host: "3000--web--t1", sessionVersion: 0 });
    expect(await claimCode(db, "c1", "3000--web--other")).toBeNull();
    expect(await claimCode(db, "c1", "3000--web--t1")).toMatchObject({ userId: "owner" });
    expect(await claimCode(db, "c1", "3000--web--t1")).toBeNull();
  });

  it("invites: join with the role, uses run out, revoked and expired refused; members use nothing", async () => {
    const inv = await createInvite(db, owner, asTeam(), { role: "developer", expiresInHours: 24, maxUses: 1 });
    const token = inv.url!.split("/invite/")[1];
    expect((await pendingInvites(db, team.id)).map((i) => i.id)).toEqual([inv.id]);
    await acceptInvite(db, owner, token); // already a member: no use taken
    await acceptInvite(db, joiner, token);
    const role = async (u: string) => (await db.select().from(memberships).where(and(eq(memberships.teamId, "t1"), eq(memberships.userId, u))))[0]?.role;
    expect(await role("joiner")).toBe("developer");
    expect(await pendingInvites(db, team.id)).toEqual([]);
    expect(await acceptInvite(db, joiner2, token).catch((e) => e.message)).toMatch(/used as many times/);
    expect(await role("joiner2")).toBeUndefined();

    const inv2 = await createInvite(db, admin, asTeam("admin"), { role: "viewer", expiresInHours: 24, maxUses: 5 });
    await revokeInvite(db, admin, team, inv2.id);
    expect(await acceptInvite(db, joiner2, inv2.url!.split("/invite/")[1]).catch((e) => e.message)).toMatch(/revoked/);

    const inv3 = await createInvite(db, owner, asTeam(), { role: "viewer", expiresInHours: 1, maxUses: 5 });
    await db.update(teamInvites).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(teamInvites.id, inv3.id));
    expect(await acceptInvite(db, joiner2, inv3.url!.split("/invite/")[1]).catch((e) => e.message)).toMatch(/expired/);
    expect(codeOf(await acceptInvite(db, joiner2, "nope").catch((e) => e))).toBe("not_found");
  });

  it("an invite stops working once its creator can no longer invite (removed from the team)", async () => {
    // An admin about to be removed makes an admin invite, to come back (or let a friend in) later.
    const [gone, friend] = await db.insert(users).values([{ id: "gone", email: "gone@example.com", name: "gone" }, { id: "friend", email: "friend@example.com", name: "friend" }]).returning();
    await db.insert(memberships).values({ teamId: "t1", userId: "gone", role: "admin" });
    const inv = await createInvite(db, gone, { ...team, role: "admin" }, { role: "admin", expiresInHours: 24, maxUses: 5 });
    const token = inv.url!.split("/invite/")[1];
    expect((await pendingInvites(db, team.id)).map((i) => i.id)).toContain(inv.id);
    expect((await inspectInvite(db, token)).state).toBe("pending");
    await db.delete(memberships).where(and(eq(memberships.teamId, "t1"), eq(memberships.userId, "gone")));
    // Neither the members page nor the invite page shows it as pending any more.
    expect((await pendingInvites(db, team.id)).map((i) => i.id)).not.toContain(inv.id);
    expect((await inspectInvite(db, token)).state).toBe("creator_gone");
    for (const who of [gone, friend]) {
      const err = await acceptInvite(db, who, token).catch((e) => e);
      expect(codeOf(err), who.id).toBe("conflict");
      expect((err as Error).message).toMatch(/no longer/);
    }
    const joined = await db.select().from(memberships).where(and(eq(memberships.teamId, "t1"), inArray(memberships.userId, ["gone", "friend"])));
    expect(joined).toEqual([]);
    expect((await db.select().from(teamInvites).where(eq(teamInvites.id, inv.id)))[0].uses).toBe(0);
  });

  it("the last use of an invite is taken once when two people race for it", async () => {
    const inv = await createInvite(db, owner, asTeam(), { role: "viewer", expiresInHours: 1, maxUses: 1 });
    const token = inv.url!.split("/invite/")[1];
    const [a, b] = await db.insert(users).values([{ id: "r1", email: "r1@example.com", name: "r1" }, { id: "r2", email: "r2@example.com", name: "r2" }]).returning();
    const results = await Promise.allSettled([acceptInvite(db, a, token), acceptInvite(db, b, token)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const [row] = await db.select().from(teamInvites).where(eq(teamInvites.id, inv.id));
    expect(row.uses).toBe(1);
    // The loser is not in the team; the winner is, with the invite's role.
    const joined = await db.select().from(memberships).where(and(eq(memberships.teamId, "t1"), inArray(memberships.userId, ["r1", "r2"])));
    expect(joined).toHaveLength(1);
    expect(joined[0].role).toBe("viewer");
  });

  it("the same person accepting twice at once (two tabs) joins once and takes one use", async () => {
    const inv = await createInvite(db, owner, asTeam(), { role: "developer", expiresInHours: 1, maxUses: 2 });
    const token = inv.url!.split("/invite/")[1];
    const [me] = await db.insert(users).values({ id: "tabs", email: "tabs@example.com", name: "tabs" }).returning();
    const results = await Promise.allSettled([acceptInvite(db, me, token), acceptInvite(db, me, token)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    const [row] = await db.select().from(teamInvites).where(eq(teamInvites.id, inv.id));
    expect(row.uses).toBe(1);
    const accepted = (await listAuditPage(db, team.id, {})).filter((e) => e.action === "team.invite.accepted" && e.target === "tabs@example.com");
    expect(accepted).toHaveLength(1);
  });

  it("cascades: deleting the devbox deletes its links", async () => {
    await db.delete(devboxes).where(eq(devboxes.id, devbox.id));
    expect(await db.select().from(shareLinks)).toEqual([]);
  });
});
