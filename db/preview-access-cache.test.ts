// The preview proxy's authorization cache (lib/preview/access-cache.ts): kept between requests,
// dropped by the commit of any change to what it holds — through the services, through a bare
// UPDATE, and (PostgreSQL) through another replica's connection pool. Each case first shows the
// viewer IS allowed (from the cache), then that the change refuses the very next authorization.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { openDatabase, type Database } from "./client";
import { devboxes } from "./schema/devboxes";
import { memberships } from "./schema/memberships";
import { shareLinks } from "./schema/share-links";
import { teams, type Team } from "./schema/teams";
import { users, type User } from "./schema/users";
import { testBackends } from "./test-backends";
import { revokeAllSessions, revokeSession } from "@/lib/auth/session-version";
import { authorizePreview, type PreviewCredentials } from "@/lib/authz/preview-access";
import { previewAccessCache } from "@/lib/preview/access-cache";
import type { PreviewTarget } from "@/lib/preview/host";
import { setInstanceMaxLevel, setTeamMaxLevel } from "@/lib/preview/queries";
import { changePortLevel, createShareLink, revokeLink } from "@/lib/preview/service";
import { deleteDevbox, stopDevbox } from "@/lib/devboxes/service";
import { removeMember } from "@/lib/teams/service";

process.env.NEXTAUTH_SECRET ??= "db-test-secret";

describe.each(testBackends())("preview access cache on $name", (backend) => {
  let db: Database;
  /** PostgreSQL: a second pool on the same database, as a second dashboard replica has. */
  let replica: Database | undefined;
  let close: () => Promise<void>;
  let closeReplica: (() => Promise<void>) | undefined;
  let owner: User, member: User;
  let team: Team;
  const asOwner = () => ({ ...team, role: "owner" as const });
  let devbox: typeof devboxes.$inferSelect;
  let n = 0;
  let target: PreviewTarget;

  const who = (u: User, sessionVersion = u.sessionVersion): PreviewCredentials => ({ session: { userId: u.id, sessionVersion }, linkId: null });
  const decision = async (on: Database, creds: PreviewCredentials) => (await authorizePreview(on, target, creds)).decision;
  /** The dashboards that must see a change at once: this one, and a second replica on PostgreSQL. */
  const dashboards = () => [db, ...(replica ? [replica] : [])];

  beforeAll(async () => {
    let url: string | undefined;
    ({ db, close, url } = await backend.open());
    if (url) {
      const h = await openDatabase({ url });
      replica = h.db;
      closeReplica = h.close;
    }
    [owner, member] = await db.insert(users).values(["owner", "member"].map((id) => ({ id, email: `${id}@example.com`, name: id }))).returning();
    [team] = await db.insert(teams).values({ id: "t1", slug: "t1", displayName: "T1", namespace: "devbox-t1" }).returning();
    await db.insert(memberships).values({ teamId: "t1", userId: "owner", role: "owner" });
  });
  afterAll(async () => {
    await closeReplica?.();
    await close?.();
  });

  // A fresh devbox per case (its port `team`, the member back in the team), warmed in every dashboard's cache.
  beforeEach(async () => {
    [devbox] = await db
      .insert(devboxes)
      .values({ id: crypto.randomUUID(), teamId: "t1", name: `web${++n}`, templateId: "x", image: "x", cpuMillis: 1, memoryMiB: 1, diskMiB: 1, ports: [{ port: 3000, name: "http" }], user: "u", workingDir: "/", createdBy: "owner" })
      .returning();
    target = { kind: "names", port: 3000, team: "t1", devbox: devbox.name };
    await db.insert(memberships).values({ teamId: "t1", userId: "member", role: "developer" }).onConflictDoNothing();
    await changePortLevel(db, owner, asOwner(), devbox, 3000, "team");
    for (const d of dashboards()) expect(await decision(d, who(member))).toBe("allow");
  });

  it("keeps the facts between requests while nothing changes (the same answer object, no re-read)", async () => {
    for (const d of dashboards()) {
      const cache = previewAccessCache(d);
      const a = await cache.facts(target, member.id, null);
      const b = await cache.facts(target, member.id, null);
      expect(a).not.toBeNull();
      expect(b).toBe(a);
    }
  });

  it("an answer kept for one viewer is never another's: other users, an old session, no session, another link", async () => {
    await changePortLevel(db, owner, asOwner(), devbox, 3000, "private");
    const [stranger] = await db.insert(users).values({ id: `stranger${n}`, email: `stranger${n}@example.com`, name: "s" }).returning();
    for (const d of dashboards()) {
      // Kept for the owner (the same answer object twice)...
      expect(await decision(d, who(owner))).toBe("allow");
      expect(await previewAccessCache(d).facts(target, owner.id, null)).toBe(await previewAccessCache(d).facts(target, owner.id, null));
      expect(await decision(d, who(owner))).toBe("allow");
      // ...and nobody else gets it: nothing changed in the DB in between.
      expect(await decision(d, who(owner, owner.sessionVersion + 1))).toBe("signin");
      expect(await decision(d, who(member))).toBe("forbidden");
      expect(await decision(d, who(stranger))).toBe("not_found");
      expect(await decision(d, { session: null, linkId: null })).toBe("signin");
      expect(await decision(d, { session: null, linkId: crypto.randomUUID() })).toBe("signin");
      expect(await decision(d, who(owner))).toBe("allow");
    }
  });

  it("a lowered level refuses the next request", async () => {
    await changePortLevel(db, owner, asOwner(), devbox, 3000, "private");
    for (const d of dashboards()) {
      expect(await decision(d, who(member))).toBe("forbidden");
      expect(await decision(d, who(owner))).toBe("allow");
    }
  });

  it("a lowered team or instance maximum refuses the next request", async () => {
    await changePortLevel(db, owner, asOwner(), devbox, 3000, "public");
    for (const d of dashboards()) expect(await decision(d, { session: null, linkId: null })).toBe("allow");
    await setTeamMaxLevel(db, team.id, "team");
    for (const d of dashboards()) expect(await decision(d, { session: null, linkId: null })).toBe("signin");
    await setTeamMaxLevel(db, team.id, "public");
    for (const d of dashboards()) expect(await decision(d, { session: null, linkId: null })).toBe("allow");
    await setInstanceMaxLevel(db, "link");
    for (const d of dashboards()) expect(await decision(d, { session: null, linkId: null })).toBe("signin");
    await setInstanceMaxLevel(db, "public");
  });

  it("a revoked share link refuses the next request; so does one expired by a bare UPDATE", async () => {
    await changePortLevel(db, owner, asOwner(), devbox, 3000, "link");
    const a = await createShareLink(db, owner, asOwner(), devbox, 3000, { label: "a", expiresInHours: 24 });
    const b = await createShareLink(db, owner, asOwner(), devbox, 3000, { label: "b", expiresInHours: 24 });
    const link = (id: string): PreviewCredentials => ({ session: null, linkId: id });
    for (const d of dashboards()) {
      expect(await decision(d, link(a.id))).toBe("allow");
      expect(await decision(d, link(b.id))).toBe("allow");
    }
    await revokeLink(db, owner, asOwner(), devbox, a.id);
    // Any writer, not only the service: the triggers see the row change.
    await db.update(shareLinks).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(shareLinks.id, b.id));
    for (const d of dashboards()) {
      expect(await decision(d, link(a.id))).toBe("link_revoked");
      expect(await decision(d, link(b.id))).toBe("link_expired");
    }
  });

  it("a removed member is refused on the next request; a signed-out-everywhere session too", async () => {
    await removeMember(db, owner.id, team, member.id);
    for (const d of dashboards()) {
      expect(await decision(d, who(member))).toBe("not_found");
      expect(await decision(d, who(owner))).toBe("allow");
    }
    await revokeAllSessions(db, owner.id);
    for (const d of dashboards()) expect(await decision(d, who(owner))).toBe("signin");
    const [fresh] = await db.select().from(users).where(eq(users.id, owner.id));
    owner = fresh;
    for (const d of dashboards()) expect(await decision(d, who(owner))).toBe("allow");
  });

  it("a signed-out session is refused on the next request (an apps cookie handed off from it too); the user's other session is not", async () => {
    const session = (sessionId: string): PreviewCredentials => ({ session: { userId: member.id, sessionVersion: member.sessionVersion, sessionId }, linkId: null });
    const [gone, kept] = [`gone-${n}`, `kept-${n}`];
    for (const d of dashboards()) {
      expect(await decision(d, session(gone))).toBe("allow");
      expect(await decision(d, session(kept))).toBe("allow");
    }
    await revokeSession(db, { userId: member.id, sessionVersion: member.sessionVersion, sessionId: gone });
    for (const d of dashboards()) {
      expect(await decision(d, session(gone))).toBe("signin");
      expect(await decision(d, session(kept))).toBe("allow");
    }
  });

  it("a stopped devbox is seen stopped on the next request; a deleted one is not found", async () => {
    await stopDevbox(db, team, owner.id, devbox.name);
    for (const d of dashboards()) expect((await authorizePreview(d, target, who(member))).devbox?.desiredState).toBe("stopped");
    await deleteDevbox(db, team, owner.id, devbox.name);
    for (const d of dashboards()) expect(await decision(d, who(member))).toBe("not_found");
  });

  it("a change committed by a transaction is seen after its commit, not before", async () => {
    await db.transaction(async (tx) => {
      await tx.update(memberships).set({ role: "viewer" }).where(eq(memberships.userId, member.id));
      await tx.delete(memberships).where(eq(memberships.userId, member.id));
      // Not committed yet: every other dashboard still allows (the cache filed nothing newer).
      if (replica) expect(await decision(replica, who(member))).toBe("allow");
    });
    for (const d of dashboards()) expect(await decision(d, who(member))).toBe("not_found");
  });
});
