import type { TeamRole } from "@/db/schema/memberships";
import { AppError, notFound } from "@/lib/errors";
import { scopeForRole, scopeSatisfied, type TokenCarrier, type TokenScope } from "@/lib/tokens/scopes";

/**
 * What an API token adds to a role check: the scope the action needs, and the token's team and
 * devbox restrictions. A team or devbox outside the restriction is "not found" like a team the
 * user is not in; a missing scope is "forbidden" and names it. Nothing here grants: the user's
 * own role is checked as well (team-access.ts).
 */
export interface TokenCheck {
  teamId: string;
  minimum: TeamRole;
  /** The scope the entry point needs; by default derived from the role (scopeForRole). */
  scope?: TokenScope;
  /** The devbox acted on, when the action is on one devbox rather than the team. */
  devboxName?: string;
}

export function requireTokenAllows(actor: TokenCarrier, check: TokenCheck): void {
  const token = actor.token;
  if (!token) return;
  if (!tokenAllowsTeam(actor, check.teamId)) throw notFound("Team");
  if (token.devboxNames) {
    if (check.devboxName !== undefined) {
      if (!token.devboxNames.includes(check.devboxName)) throw notFound("Devbox");
    } else if (check.minimum !== "viewer") {
      // A token for named devboxes may read the team (to list them) but not act on it as a whole.
      throw new AppError("forbidden", "This API token is restricted to named devboxes.");
    }
  }
  const needed = check.scope ?? scopeForRole(check.minimum);
  if (!scopeSatisfied(token.scopes, needed))
    throw new AppError("forbidden", `This API token lacks the ${needed} scope (it has ${token.scopes.join(", ")}).`);
}

/** For lists: whether a team-restricted token may see this team (any other is "not found"). */
export function tokenAllowsTeam(actor: TokenCarrier, teamId: string): boolean {
  const only = actor.token?.teamId;
  return !only || only === teamId;
}

/** For lists: whether a devbox-restricted token may see this devbox. */
export function tokenAllowsDevbox(actor: TokenCarrier, devboxName: string): boolean {
  const names = actor.token?.devboxNames;
  return !names || names.includes(devboxName);
}

/**
 * Making a new devbox from one the token may act on (a fork of its snapshot or release): a token
 * restricted to named devboxes may not create devboxes in the team as a whole (POST of a devbox
 * is refused to it), so the new one must be among the names it carries.
 */
export function requireTokenMayCreateDevbox(actor: TokenCarrier, devboxName: string): void {
  if (!tokenAllowsDevbox(actor, devboxName))
    throw new AppError("forbidden", "This API token is restricted to named devboxes: the new devbox must be one of them.", { field: "name" });
}

/** Actions outside a team (instance administration, creating teams) need an explicit scope. */
export function requireTokenScope(actor: TokenCarrier, scope: TokenScope): void {
  if (actor.token && !scopeSatisfied(actor.token.scopes, scope))
    throw new AppError("forbidden", `This API token lacks the ${scope} scope.`);
}

/** Some actions need a person at a browser (managing tokens themselves). */
export function requireNoToken(actor: TokenCarrier, what: string): void {
  if (actor.token) throw new AppError("forbidden", `${what} needs a signed-in session in the dashboard, not an API token.`);
}
