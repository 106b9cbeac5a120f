import { count, eq, sql } from "drizzle-orm";
import type { Database, Tx } from "@/db/client";
import { users, type User } from "@/db/schema/users";
import { recordAudit } from "@/lib/audit/record";
import { checkPasswordStrength, hashPassword } from "@/lib/auth/password";
import { AppError } from "@/lib/errors";
import { newId, randomSuffix } from "@/lib/ids";
import { insertTeamWithNamespace, withNamespaceCompensation } from "@/lib/teams/service";
import { isSignupOpen } from "@/lib/settings/instance";
import { normalizeEmail } from "@/lib/validation/email";
import { slugify } from "@/lib/validation/names";

export interface RegisterInput {
  email: string;
  name?: string;
  /** Absent for accounts created by an OIDC sign-in. */
  password?: string;
  /** Seeding and OIDC bypass the open-sign-up switch. */
  bypassSignupClosed?: boolean;
}

// Any fixed number: the advisory lock that serializes account creation (see insertAccount).
const ACCOUNT_CREATION_LOCK = 7_420_001;

/**
 * Inserts the user row inside `tx`. Account creation is serialized by a transaction-scoped
 * advisory lock, so "is this the first account?" is answered with no other sign-up in flight:
 * two sign-ups on an empty install cannot both become instance admin. Closed sign-up holds for
 * the first account too (the operator seeds it with DEVBOX_ADMIN_*, see seed-admin.ts).
 */
export async function insertAccount(
  tx: Tx,
  user: Omit<User, "isInstanceAdmin" | "createdAt" | "sessionVersion">,
  opts: { bypassSignupClosed?: boolean } = {},
): Promise<User> {
  await tx.execute(sql`select pg_advisory_xact_lock(${ACCOUNT_CREATION_LOCK})`);
  if (!opts.bypassSignupClosed && !(await isSignupOpen(tx)))
    throw new AppError("forbidden", "Sign-up is closed on this instance. Ask an administrator for an account.");
  const [{ n }] = await tx.select({ n: count() }).from(users);
  const [created] = await tx
    .insert(users)
    .values({ ...user, isInstanceAdmin: n === 0 })
    .onConflictDoNothing()
    .returning();
  if (!created) throw new AppError("conflict", "An account with this email already exists.", { field: "email" });
  return created;
}

/**
 * Creates a user, their personal team and its namespace, all or nothing. The first account of a
 * fresh install becomes the instance admin.
 */
export async function registerUser(db: Database, input: RegisterInput): Promise<User> {
  const email = normalizeEmail(input.email);
  const name = (input.name ?? "").trim() || email.split("@")[0];
  if (name.length > 80) throw new AppError("bad_request", "Names are at most 80 characters.", { field: "name" });
  if (input.password !== undefined) checkPasswordStrength(input.password);

  // Early answers for the form; insertAccount decides again under its lock.
  if (!input.bypassSignupClosed && !(await isSignupOpen(db)))
    throw new AppError("forbidden", "Sign-up is closed on this instance. Ask an administrator for an account.");
  const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
  if (taken) throw new AppError("conflict", "An account with this email already exists.", { field: "email" });

  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null;
  const personalSlug = `${slugify(email.split("@")[0], 30)}-${randomSuffix(5)}`;

  return withNamespaceCompensation(db, async (tx, making) => {
    const created = await insertAccount(tx, { id: newId(), email, name, passwordHash }, { bypassSignupClosed: input.bypassSignupClosed });
    const team = await insertTeamWithNamespace(tx, {
      slug: personalSlug,
      displayName: `${name}'s team`,
      ownerId: created.id,
      personal: true,
    }, making);
    await recordAudit(tx, { actorId: created.id, teamId: team.id, action: "user.register", target: email });
    return created;
  });
}
