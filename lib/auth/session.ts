import { headers } from "next/headers";
import { cache } from "react";
import { getDb } from "@/db/client";
import type { User } from "@/db/schema/users";
import { AppError } from "@/lib/errors";
import { bearerFrom } from "@/lib/tokens/secret";
import type { TokenCarrier } from "@/lib/tokens/scopes";
import { authenticateToken } from "@/lib/tokens/service";
import { userFromCookieHeader } from "./ws-session";

/** A user by API token (`token`) or by session cookie (`sessionId`: that session's, lib/auth/session-version.ts). */
export type SignedInUser = User & TokenCarrier & { sessionId?: string | null };

/**
 * The signed-in user, re-read from the DB so a deleted account or a revoked session (signed out,
 * or out everywhere) loses access at once. Memoized per
 * request (React cache): the shell layout and the page both ask.
 *
 * A request with `Authorization: Bearer <API token>` is that token's user and nothing else (the
 * cookie is ignored), carrying the token's grant for lib/authz; a bad token throws `unauthorized`
 * with the reason. Server actions never take tokens: they are the browser's.
 */
export const currentUser = cache(async (): Promise<SignedInUser | null> => {
  const h = await headers();
  const bearer = bearerFrom(h.get("authorization"));
  if (bearer !== null) {
    if (h.has("next-action")) throw new AppError("forbidden", "Server actions do not accept API tokens.");
    return authenticateToken(await getDb(), bearer);
  }
  // The cookie is read as the websocket endpoints read it (not through getServerSession, which
  // in the App Router cannot refresh the cookie anyway): one decode and one DB statement.
  return userFromCookieHeader(await getDb(), h.get("cookie") ?? undefined);
});

export async function requireUser(): Promise<SignedInUser> {
  const user = await currentUser();
  if (!user) throw new AppError("unauthorized", "Sign in to continue.");
  return user;
}
