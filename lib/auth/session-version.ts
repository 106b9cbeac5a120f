import { randomBytes } from "node:crypto";
import { eq, lt, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { revokedSessions } from "@/db/schema/revoked-sessions";
import { users, type User } from "@/db/schema/users";

/**
 * Session tokens are JWTs valid for SESSION_MAX_AGE_SECONDS by themselves. Each carries the
 * user's session version (`sv`) from when it was issued and a random session id (`sid`, fixed at
 * sign-in, kept by refreshes); every request compares them with the DB in one statement:
 * - sign out everywhere bumps the version: every earlier token, copies included, is useless;
 * - a plain sign-out lists the session id in `revoked_sessions`: that session's tokens, copies
 *   included, are useless, the user's other sessions go on.
 * Tokens from before versions existed count as version 0; tokens from before session ids have
 * none, and signing one out signs out everywhere (nothing narrower names it).
 */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 3600;

/** What a session token says: whose it is, the user's session version then, and its session id. */
export interface SessionClaims {
  userId: string;
  sessionVersion: number;
  sessionId: string | null;
}

/** A user signed in by a session token (not an API token), with the token's session id. */
export type SessionUser = User & { sessionId: string | null };

export function sessionVersionOf(token: object | null | undefined): number {
  const sv = (token as { sv?: unknown } | null | undefined)?.sv;
  return typeof sv === "number" ? sv : 0;
}

export function sessionIdOf(token: object | null | undefined): string | null {
  const sid = (token as { sid?: unknown } | null | undefined)?.sid;
  return typeof sid === "string" && sid.length > 0 ? sid : null;
}

/** The claims of a decoded session token, or null when it names no user. */
export function sessionClaimsOf(token: object | null | undefined): SessionClaims | null {
  const uid = (token as { uid?: unknown } | null | undefined)?.uid;
  return typeof uid === "string" ? { userId: uid, sessionVersion: sessionVersionOf(token), sessionId: sessionIdOf(token) } : null;
}

/** A new session's id: 128 random bits, so one sign-out never ends another session. */
export function newSessionId(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * The user a session names, or null when the account is gone or the session was revoked (its
 * version is old, or its id was signed out). One primary-key read, with the revocation as a
 * subquery on the revoked session's primary key.
 */
export async function userForSession(db: Database, s: SessionClaims): Promise<SessionUser | null> {
  const revoked = s.sessionId
    ? sql<boolean>`exists (select 1 from ${revokedSessions} where ${revokedSessions.sessionId} = ${s.sessionId})`
    : sql<boolean>`false`;
  const [row] = await db.select({ user: users, revoked }).from(users).where(eq(users.id, s.userId)).limit(1);
  if (!row || row.revoked === true || row.user.sessionVersion !== s.sessionVersion) return null;
  return { ...row.user, sessionId: s.sessionId };
}

/** Sign out everywhere: every session token issued so far stops working. */
export async function revokeAllSessions(db: Database, userId: string): Promise<void> {
  await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId));
}

/**
 * Plain sign-out: this session's tokens, wherever they were copied, stop working; the user's
 * other sessions go on. The row outlives every token of the session: a token is valid for the
 * session lifetime after its last refresh, and a listed session is never refreshed again
 * (lib/auth/options.ts). Rows past that are swept here. A session without an id (issued before
 * ids existed) can only be ended with all the others.
 */
export async function revokeSession(db: Database, s: SessionClaims, now = new Date()): Promise<void> {
  if (!s.sessionId) return revokeAllSessions(db, s.userId);
  const expiresAt = new Date(now.getTime() + SESSION_MAX_AGE_SECONDS * 1000);
  await db.transaction(async (tx) => {
    // Only for an account that still exists (a deleted one has no session left to end).
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, s.userId)).limit(1);
    if (user) await tx.insert(revokedSessions).values({ sessionId: s.sessionId!, userId: s.userId, expiresAt }).onConflictDoNothing();
    await tx.delete(revokedSessions).where(lt(revokedSessions.expiresAt, now));
  });
}
