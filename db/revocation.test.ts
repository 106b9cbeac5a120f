import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encode } from "next-auth/jwt";
import { eq } from "drizzle-orm";
import type { Database } from "./client";
import { memberships } from "./schema/memberships";
import { revokedSessions } from "./schema/revoked-sessions";
import { teams } from "./schema/teams";
import { users } from "./schema/users";
import { testBackends } from "./test-backends";
import { AccessWatcher } from "@/lib/auth/access-watch";
import { authOptions } from "@/lib/auth/options";
import { revokeAllSessions, revokeSession, SESSION_MAX_AGE_SECONDS } from "@/lib/auth/session-version";
import { userFromCookieHeader } from "@/lib/auth/ws-session";
import { removeMember } from "@/lib/teams/service";

const secret = "test-secret-for-revocation";
const cookieFor = async (uid: string, sv?: number) =>
  `next-auth.session-token=${await encode({ token: { uid, ...(sv === undefined ? {} : { sv }) }, secret })}`;

describe.each(testBackends())("session revocation on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    await db.insert(users).values([
      { id: "own", email: "own@example.com", name: "Owner" },
      { id: "dev", email: "dev@example.com", name: "Dev" },
    ]);
    await db.insert(teams).values({ id: "t1", slug: "t1", displayName: "T1", namespace: "devbox-t1" });
    await db.insert(memberships).values([
      { teamId: "t1", userId: "own", role: "owner" },
      { teamId: "t1", userId: "dev", role: "developer" },
    ]);
  });
  afterAll(async () => close?.());

  it("refuses a copied session cookie after sign-out everywhere, and accepts a new sign-in", async () => {
    const copied = await cookieFor("own", 0);
    const legacy = await cookieFor("own"); // issued before versions existed
    expect((await userFromCookieHeader(db, copied, secret))?.id).toBe("own");
    expect((await userFromCookieHeader(db, legacy, secret))?.id).toBe("own");

    await revokeAllSessions(db, "own");
    expect(await userFromCookieHeader(db, copied, secret)).toBeNull();
    expect(await userFromCookieHeader(db, legacy, secret)).toBeNull();
    // Signing in again issues a token with the new version: it works.
    expect((await userFromCookieHeader(db, await cookieFor("own", 1), secret))?.id).toBe("own");
  });

  it("a plain sign-out refuses that session's cookie and every copy at once, its refresh and its open connections; the user's other session goes on", async () => {
    (globalThis as Record<symbol, unknown>)[Symbol.for("devbox.database")] = Promise.resolve({ db, kind: backend.name });
    try {
      // Two sign-ins of one user, as next-auth issues them (the jwt callback at sign-in).
      const signIn = async () => {
        const token = await authOptions.callbacks!.jwt!({ token: {}, user: { id: "dev", sv: 0 } as never, account: { provider: "credentials", type: "credentials", providerAccountId: "dev" } });
        return { token, cookie: `next-auth.session-token=${await encode({ token, secret })}` };
      };
      const here = await signIn();
      const elsewhere = await signIn();
      expect(here.token.sid).toEqual(expect.any(String));
      expect(here.token.sid).not.toBe(elsewhere.token.sid);
      const copied = here.cookie;
      expect((await userFromCookieHeader(db, copied, secret))?.sessionId).toBe(here.token.sid);

      const watcher = new AccessWatcher(async () => db, 60_000);
      const revoked: Record<string, string> = {};
      for (const [name, s] of [["copy-terminal", here], ["other-terminal", elsewhere]] as const)
        watcher.watch({ userId: "dev", sessionVersion: 0, sessionId: s.token.sid as string, teamId: "t1", minRole: "developer" }, (r) => (revoked[name] = r));

      // POST /api/auth/signout hands the decoded cookie to this event.
      await authOptions.events!.signOut!({ token: here.token, session: undefined as never });
      expect(await userFromCookieHeader(db, copied, secret)).toBeNull();
      expect((await userFromCookieHeader(db, elsewhere.cookie, secret))?.id).toBe("dev");
      // A refresh (GET /api/auth/session) of the copy is refused, so it cannot outlive its row.
      await expect(authOptions.callbacks!.jwt!({ token: here.token } as never)).rejects.toThrow(/signed out/);
      await expect(authOptions.callbacks!.jwt!({ token: elsewhere.token } as never)).resolves.toMatchObject({ uid: "dev" });
      await watcher.checkNow();
      expect(revoked).toEqual({ "copy-terminal": expect.stringMatching(/session was signed out/) });
      expect(watcher.size).toBe(1);

      // The row lives as long as a token of the session can: a later sign-out sweeps it only then.
      const later = new Date(Date.now() + (SESSION_MAX_AGE_SECONDS + 60) * 1000);
      await revokeSession(db, { userId: "dev", sessionVersion: 0, sessionId: elsewhere.token.sid as string }, later);
      expect((await db.select().from(revokedSessions)).map((r) => r.sessionId)).toEqual([elsewhere.token.sid]);
    } finally {
      delete (globalThis as Record<symbol, unknown>)[Symbol.for("devbox.database")];
    }
  });

  it("a re-check asked for while one is in flight runs again after it (that one may have read before the change)", async () => {
    let reads = 0;
    const watcher = new AccessWatcher(async () => {
      reads++;
      return db;
    }, 60_000);
    const w = watcher.watch({ userId: "dev", sessionVersion: 0, teamId: "t1", minRole: "viewer" }, () => {});
    const inFlight = watcher.checkNow();
    const [a, b] = [watcher.checkNow(), watcher.checkNow()];
    await Promise.all([inFlight, a, b]);
    expect(reads).toBe(2); // the one in flight, then one more shared by both later callers
    await watcher.checkNow();
    expect(reads).toBe(3); // nothing in flight: one run
    w.stop();
  });

  it("tells open connections within one re-check that a member was removed or signed out everywhere", async () => {
    const watcher = new AccessWatcher(async () => db, 100);
    const revoked: Record<string, string> = {};
    const watch = (name: string, userId: string, sessionVersion: number) =>
      watcher.watch({ userId, sessionVersion, teamId: "t1", minRole: "developer" }, (r) => (revoked[name] = r));
    watch("owner-terminal", "own", 1);
    watch("dev-terminal", "dev", 0);
    watch("dev-stream", "dev", 0);

    await watcher.checkNow();
    expect(revoked).toEqual({}); // the allowed users keep their connections

    const removedAt = Date.now();
    await removeMember(db, "own", { id: "t1", slug: "t1", displayName: "T1", namespace: "devbox-t1", personal: false, createdAt: new Date(), deletingSince: null }, "dev");
    await expect.poll(() => Object.keys(revoked).sort(), { timeout: 5000, interval: 20 }).toEqual(["dev-stream", "dev-terminal"]);
    expect(Date.now() - removedAt).toBeLessThan(3000);
    expect(revoked["dev-terminal"]).toMatch(/no longer a member/);
    expect(watcher.size).toBe(1);

    await revokeAllSessions(db, "own");
    await expect.poll(() => revoked["owner-terminal"], { timeout: 5000, interval: 20 }).toMatch(/signed out everywhere/);
    expect(watcher.size).toBe(0);
  });

  it("signing out a token from before session ids signs out everywhere (nothing narrower names it)", async () => {
    (globalThis as Record<symbol, unknown>)[Symbol.for("devbox.database")] = Promise.resolve({ db, kind: backend.name });
    try {
      const [own] = await db.select().from(users).where(eq(users.id, "own"));
      const legacy = await cookieFor("own", own.sessionVersion); // no sid
      expect((await userFromCookieHeader(db, legacy, secret))?.id).toBe("own");
      await authOptions.events!.signOut!({ token: { uid: "own", sv: own.sessionVersion }, session: undefined as never });
      expect(await userFromCookieHeader(db, legacy, secret)).toBeNull();
      const [after] = await db.select().from(users).where(eq(users.id, "own"));
      expect(after.sessionVersion).toBe(own.sessionVersion + 1);
    } finally {
      delete (globalThis as Record<symbol, unknown>)[Symbol.for("devbox.database")];
    }
  });
});
