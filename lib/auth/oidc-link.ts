import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import { userIdentities } from "@/db/schema/user-identities";
import { userSshKeys } from "@/db/schema/user-ssh-keys";
import { users } from "@/db/schema/users";
import { recordAudit } from "@/lib/audit/record";
import { findUserByEmail } from "@/lib/users/queries";
import { registerUser } from "@/lib/users/register";

/**
 * How an OIDC sign-in maps to an account. The (issuer, subject) pair is the identity: once linked,
 * it signs in that account whatever email the provider reports later. An email is trusted only
 * when the provider says it verified it (`email_verified: true`): otherwise anyone who can set
 * an email at the provider could take over the account that has it, or claim it first.
 */
export type OidcDecision =
  | { kind: "signIn"; userId: string }
  | { kind: "link"; userId: string }
  | { kind: "create"; email: string }
  | { kind: "refuse"; code: OidcRefusal };

export type OidcRefusal = "OidcNoEmail" | "OidcUnverifiedEmail";

export function decideOidcSignIn(input: {
  /** The account already linked to (issuer, subject), if any. */
  linkedUserId?: string;
  email?: string | null;
  emailVerified?: unknown;
  /** The account that has this email, if any. */
  emailUserId?: string;
}): OidcDecision {
  if (input.linkedUserId) return { kind: "signIn", userId: input.linkedUserId };
  if (!input.email) return { kind: "refuse", code: "OidcNoEmail" };
  // Only an explicit true: a missing claim is not a verification.
  if (input.emailVerified !== true && input.emailVerified !== "true") return { kind: "refuse", code: "OidcUnverifiedEmail" };
  if (input.emailUserId) return { kind: "link", userId: input.emailUserId };
  return { kind: "create", email: input.email };
}

export const oidcRefusalMessage: Record<OidcRefusal, string> = {
  OidcNoEmail: "Your identity provider did not share an email address, so no account can be matched.",
  OidcUnverifiedEmail: "Your identity provider has not verified your email address: verify it there, then sign in again.",
};

export async function findLinkedUserId(db: Database, issuer: string, subject: string): Promise<string | undefined> {
  const [row] = await db
    .select({ userId: userIdentities.userId })
    .from(userIdentities)
    .where(and(eq(userIdentities.issuer, issuer), eq(userIdentities.subject, subject)))
    .limit(1);
  return row?.userId;
}

/**
 * Decides and applies an OIDC sign-in: links or creates the account as decided. Returns the
 * account's id, or the refusal.
 */
export async function resolveOidcSignIn(
  db: Database,
  claims: { issuer: string; subject: string; email?: string | null; emailVerified?: unknown; name?: string | null },
): Promise<{ userId: string } | { refused: OidcRefusal }> {
  const linkedUserId = await findLinkedUserId(db, claims.issuer, claims.subject);
  const email = claims.email?.trim().toLowerCase() || null;
  const emailUserId = !linkedUserId && email ? (await findUserByEmail(db, email))?.id : undefined;
  const decision = decideOidcSignIn({ linkedUserId, email, emailVerified: claims.emailVerified, emailUserId });
  switch (decision.kind) {
    case "refuse":
      return { refused: decision.code };
    case "signIn":
      return { userId: decision.userId };
    case "link":
      await linkByEmail(db, claims.issuer, claims.subject, decision.userId);
      return { userId: decision.userId };
    case "create": {
      const user = await registerUser(db, { email: decision.email, name: claims.name ?? undefined, bypassSignupClosed: true });
      await link(db, claims.issuer, claims.subject, user.id);
      return { userId: user.id };
    }
  }
}

/**
 * Links an existing account by its (provider-verified) email. Sign-up verifies no email, so a
 * password on that account may be a squatter's, set before the address's owner ever came: left
 * alone, they would sign in to the account its owner now uses (account pre-hijacking). The
 * verified owner wins: the password goes, and with it every session, API token and SSH key made
 * so far (one transaction). The owner signs in through the provider from then on.
 */
async function linkByEmail(db: Database, issuer: string, subject: string, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const linked = await tx.insert(userIdentities).values({ issuer, subject, userId }).onConflictDoNothing().returning({ userId: userIdentities.userId });
    if (linked.length === 0) return; // linked meanwhile (another sign-in): nothing more to do
    const [user] = await tx.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId)).for("update");
    if (!user?.passwordHash) return;
    await tx.update(users).set({ passwordHash: null, sessionVersion: sql`${users.sessionVersion} + 1` }).where(eq(users.id, userId));
    await tx.update(apiTokens).set({ revokedAt: new Date() }).where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)));
    await tx.delete(userSshKeys).where(eq(userSshKeys.userId, userId));
    await recordAudit(tx, { actorId: userId, teamId: null, action: "user.oidc_linked", target: issuer, details: { droppedPassword: true } });
  });
}

async function link(db: Database, issuer: string, subject: string, userId: string): Promise<void> {
  await db.insert(userIdentities).values({ issuer, subject, userId }).onConflictDoNothing();
}
