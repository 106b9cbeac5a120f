import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { users, type User } from "@/db/schema/users";
import { findUserById } from "@/lib/users/queries";

/**
 * Session tokens are JWTs valid for 30 days by themselves; each carries the user's session
 * version (`sv`) from when it was issued, and every request compares it with the DB's. Bumping
 * the version ("sign out everywhere") makes every earlier token, copies included, useless.
 * Tokens from before versions existed count as version 0.
 */
export function sessionVersionOf(token: object | null | undefined): number {
  const sv = (token as { sv?: unknown } | null | undefined)?.sv;
  return typeof sv === "number" ? sv : 0;
}

/** The user a session names, or null when the account is gone or the session was revoked. */
export async function userForSession(db: Database, userId: string, sessionVersion: number): Promise<User | null> {
  const user = await findUserById(db, userId);
  return user && user.sessionVersion === sessionVersion ? user : null;
}

/** Sign out everywhere: every session token issued so far stops working. */
export async function revokeAllSessions(db: Database, userId: string): Promise<void> {
  await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId));
}
