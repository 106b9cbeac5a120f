import { createHash, randomBytes } from "node:crypto";

/** Recognizable by secret scanners (and by us, in an Authorization header). */
export const TOKEN_PREFIX = "dbx_pat_";
const TOKEN_RE = /^dbx_pat_[A-Za-z0-9_-]{43}$/;

export function newTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export function isTokenShaped(s: string): boolean {
  return TOKEN_RE.test(s);
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Enough of the token to tell it apart in a list, far too little to guess the rest. */
export function displayPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 4);
}

/** The token of an `Authorization: Bearer …` header, or null when there is no bearer header. */
export function bearerFrom(header: string | null | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m ? m[1] : null;
}

/**
 * A request authenticated only by an API token (a bearer header, no cookie) carries no ambient
 * credential, so a forged cross-site request cannot use one: CSRF and Origin rules do not apply
 * (lib/http/route.ts, server/host-guard.ts). With a cookie as well, it is treated as a browser's.
 */
export function isCookielessBearer(authorization: string | null | undefined, cookie: string | null | undefined): boolean {
  return bearerFrom(authorization) !== null && !cookie;
}
