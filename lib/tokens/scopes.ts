import type { TeamRole } from "@/db/schema/memberships";

export const TOKEN_SCOPES = ["devboxes:read", "devboxes:write", "devboxes:ssh", "releases:write", "admin"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** What an API token carries into authorization (lib/authz/token-scope.ts). */
export interface TokenGrant {
  id: string;
  name: string;
  scopes: readonly TokenScope[];
  /** Restricted to this team (id), or null for every team of the user. */
  teamId: string | null;
  /** Restricted to these devboxes of `teamId`, or null for all of them. */
  devboxNames: readonly string[] | null;
}

/**
 * The scope a team-role check needs when the caller is a token, unless the entry point names
 * one: reading needs devboxes:read, acting as a developer devboxes:write, and team
 * administration admin. The user's own role is still checked as well: a token never gets more.
 */
export function scopeForRole(minimum: TeamRole): TokenScope {
  if (minimum === "viewer") return "devboxes:read";
  if (minimum === "developer") return "devboxes:write";
  return "admin";
}

/** Scopes that include others: write can read, admin can do everything. */
export function scopeSatisfied(held: readonly TokenScope[], needed: TokenScope): boolean {
  if (held.includes(needed) || held.includes("admin")) return true;
  return needed === "devboxes:read" && held.includes("devboxes:write");
}

/** Whoever makes a request: a signed-in user, or a user through one of their API tokens. */
export interface TokenCarrier {
  token?: TokenGrant;
}
