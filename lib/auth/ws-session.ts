import { decode } from "next-auth/jwt";
import type { Database } from "@/db/client";
import type { User } from "@/db/schema/users";
import { AppError } from "@/lib/errors";
import { isTrustedOrigin } from "@/lib/http/trusted-origins";
import type { TokenCarrier } from "@/lib/tokens/scopes";
import { bearerFrom } from "@/lib/tokens/secret";
import { authenticateToken } from "@/lib/tokens/service";
import { sessionCookieName } from "./session-cookie";
import { sessionClaimsOf, userForSession, type SessionClaims, type SessionUser } from "./session-version";

/**
 * The signed-in user of a raw HTTP request (a websocket handshake, outside Next.js), from the
 * next-auth JWT session cookie. Mirrors next-auth v4 as lib/auth/options.ts configures it: the
 * cookie's name is sessionCookieName() (`__Host-`-prefixed on https; no other name counts, or a
 * sibling host could plant one) and it is split into `.0`, `.1`… chunks when large. The user is
 * re-read from the DB so a deleted account or a revoked session (signed out, or out everywhere)
 * loses access at once. currentUser() reads the cookie the same way, so every entry point
 * verifies sessions with the same code.
 */

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      /* keep it raw */
    }
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/** The session token from a Cookie header, whole or reassembled from its chunks. */
export function sessionTokenFromCookies(header: string | undefined, name = sessionCookieName()): string | undefined {
  const cookies = parseCookies(header);
  const whole = cookies.get(name);
  if (whole) return whole;
  const chunks: string[] = [];
  for (let i = 0; cookies.has(`${name}.${i}`); i++) chunks.push(cookies.get(`${name}.${i}`)!);
  return chunks.length ? chunks.join("") : undefined;
}

/** The claims (user, session version, session id) of a valid, unexpired session token; null for anything else. */
export async function sessionFromCookieHeader(header: string | undefined, secret = process.env.NEXTAUTH_SECRET): Promise<SessionClaims | null> {
  const token = sessionTokenFromCookies(header);
  if (!token || !secret) return null;
  try {
    return sessionClaimsOf(await decode({ token, secret }));
  } catch {
    return null; // tampered, wrong secret, expired
  }
}

export async function userIdFromCookieHeader(header: string | undefined, secret = process.env.NEXTAUTH_SECRET): Promise<string | null> {
  return (await sessionFromCookieHeader(header, secret))?.userId ?? null;
}

/** The signed-in user, unless the account is gone or the session was revoked (signed out, or out everywhere). */
export async function userFromCookieHeader(db: Database, header: string | undefined, secret = process.env.NEXTAUTH_SECRET): Promise<SessionUser | null> {
  const s = await sessionFromCookieHeader(header, secret);
  return s ? userForSession(db, s) : null;
}

/** A cookie sent from a page the dashboard did not serve (websocket close code 4403, not 4406). */
export class ForeignOriginError extends AppError {
  constructor() {
    super("forbidden", "Refused: this page is not served by the dashboard.");
  }
}

/**
 * The user of a websocket handshake: an API token (`Authorization: Bearer`, for the CLI; the
 * user then carries the token's grant for lib/authz) or the session cookie, which only counts
 * when the page's Origin is one of the dashboard's (cross-site websocket hijacking). Throws
 * `unauthorized` (a bad token says why) or `forbidden` (a foreign Origin).
 */
export async function actorFromUpgrade(db: Database, headers: { authorization?: string; cookie?: string; origin?: string }): Promise<User & TokenCarrier & { sessionId?: string | null }> {
  const bearer = bearerFrom(headers.authorization);
  if (bearer !== null) return authenticateToken(db, bearer);
  if (!isTrustedOrigin(headers.origin)) throw new ForeignOriginError();
  const user = await userFromCookieHeader(db, headers.cookie);
  if (!user) throw new AppError("unauthorized", "Sign in (or pass an API token) to continue.");
  return user;
}
