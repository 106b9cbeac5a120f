import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { cache } from "react";
import { getDb } from "@/db/client";
import type { User } from "@/db/schema/users";
import { AppError } from "@/lib/errors";
import { bearerFrom } from "@/lib/tokens/secret";
import type { TokenCarrier } from "@/lib/tokens/scopes";
import { authenticateToken } from "@/lib/tokens/service";
import { authOptions } from "./options";
import { sessionVersionOf, userForSession } from "./session-version";

/**
 * The signed-in user, re-read from the DB so a deleted account or a revoked session (sign out
 * everywhere) loses access at once. Memoized per
 * request (React cache): the shell layout and the page both ask.
 *
 * A request with `Authorization: Bearer <API token>` is that token's user and nothing else (the
 * cookie is ignored), carrying the token's grant for lib/authz; a bad token throws `unauthorized`
 * with the reason. Server actions never take tokens: they are the browser's.
 */
export const currentUser = cache(async (): Promise<(User & TokenCarrier) | null> => {
  const h = await headers();
  const bearer = bearerFrom(h.get("authorization"));
  if (bearer !== null) {
    if (h.has("next-action")) throw new AppError("forbidden", "Server actions do not accept API tokens.");
    return authenticateToken(await getDb(), bearer);
  }
  const session = await getServerSession(authOptions);
  const claims = session?.user as { id?: string; sv?: number } | undefined;
  if (!claims?.id) return null;
  return userForSession(await getDb(), claims.id, sessionVersionOf(claims));
});

export async function requireUser(): Promise<User & TokenCarrier> {
  const user = await currentUser();
  if (!user) throw new AppError("unauthorized", "Sign in to continue.");
  return user;
}
