import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { users, type User } from "@/db/schema/users";
import { recordAudit } from "@/lib/audit/record";
import { checkPasswordStrength, hashPassword } from "@/lib/auth/password";
import { AppError } from "@/lib/errors";
import { newId, randomSuffix } from "@/lib/ids";
import { insertTeamWithNamespace, withNamespaceCompensation } from "@/lib/teams/service";
import { isSignupOpen } from "@/lib/settings/instance";
import { normalizeEmail } from "@/lib/validation/email";
import { slugify } from "@/lib/validation/names";
import { countUsers } from "./queries";

export interface RegisterInput {
  email: string;
  name?: string;
  /** Absent for accounts created by an OIDC sign-in. */
  password?: string;
  /** Seeding and OIDC bypass the open-sign-up switch. */
  bypassSignupClosed?: boolean;
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

  const firstUser = (await countUsers(db)) === 0;
  if (!firstUser && !input.bypassSignupClosed && !(await isSignupOpen(db)))
    throw new AppError("forbidden", "Sign-up is closed on this instance. Ask an administrator for an account.");
  const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
  if (taken) throw new AppError("conflict", "An account with this email already exists.", { field: "email" });

  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null;
  const user = { id: newId(), email, name, passwordHash, isInstanceAdmin: firstUser };
  const personalSlug = `${slugify(email.split("@")[0], 30)}-${randomSuffix(5)}`;

  const { created, team } = await withNamespaceCompensation(db, async (tx) => {
    const [created] = await tx.insert(users).values(user).onConflictDoNothing().returning();
    if (!created) throw new AppError("conflict", "An account with this email already exists.", { field: "email" });
    const team = await insertTeamWithNamespace(tx, {
      slug: personalSlug,
      displayName: `${name}'s team`,
      ownerId: user.id,
      personal: true,
    });
    return { created, team, namespace: team.namespace };
  });
  await recordAudit(db, { actorId: created.id, teamId: team.id, action: "user.register", target: email });
  return created;
}
