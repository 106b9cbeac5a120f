import { getServerSession } from "next-auth";
import { cache } from "react";
import { getDb } from "@/db/client";
import type { User } from "@/db/schema/users";
import { AppError } from "@/lib/errors";
import { authOptions } from "./options";
import { sessionVersionOf, userForSession } from "./session-version";

/**
 * The signed-in user, re-read from the DB so a deleted account or a revoked session (sign out
 * everywhere) loses access at once. Memoized per
 * request (React cache): the shell layout and the page both ask.
 */
export const currentUser = cache(async (): Promise<User | null> => {
  const session = await getServerSession(authOptions);
  const claims = session?.user as { id?: string; sv?: number } | undefined;
  if (!claims?.id) return null;
  return userForSession(await getDb(), claims.id, sessionVersionOf(claims));
});

export async function requireUser(): Promise<User> {
  const user = await currentUser();
  if (!user) throw new AppError("unauthorized", "Sign in to continue.");
  return user;
}
