import { getDb } from "@/db/client";
import type { TeamRole } from "@/db/schema/memberships";
import type { User } from "@/db/schema/users";
import { AppError, notFound } from "@/lib/errors";
import { findTeamForMember, type TeamWithRole } from "@/lib/teams/queries";
import { roleAtLeast } from "@/lib/teams/roles";
import type { TokenCarrier, TokenScope } from "@/lib/tokens/scopes";
import { requireTokenAllows, requireTokenScope } from "./token-scope";

/** A user, acting through an API token (lib/tokens) or a session cookie (`sessionId`, lib/auth/session-version.ts). */
export type Actor = User & TokenCarrier & { sessionId?: string | null };

export interface AccessOptions {
  /** For API tokens: the scope this action needs, when not the role's default (lib/tokens/scopes.ts). */
  scope?: TokenScope;
  /** Set by requireDevboxRole: the check is for this devbox of the team. */
  devboxName?: string;
}

/**
 * The single authorization check for team resources. A team the user is not a member of is
 * "not found", never "forbidden": other teams' names must not leak. A request made with an API
 * token must also be within the token's scopes and restrictions.
 */
export async function requireTeamRole(user: Actor, teamSlug: string, minimum: TeamRole, opts: AccessOptions = {}): Promise<TeamWithRole> {
  const team = await findTeamForMember(await getDb(), teamSlug, user.id);
  if (!team) throw notFound("Team");
  requireTokenAllows(user, { teamId: team.id, minimum, ...opts });
  if (!roleAtLeast(team.role, minimum))
    throw new AppError("forbidden", `This needs the ${minimum} role or higher in this team (you are ${team.role}).`);
  return team;
}

export function requireInstanceAdmin(user: Actor): void {
  requireTokenScope(user, "admin");
  if (!user.isInstanceAdmin) throw new AppError("forbidden", "Only instance administrators can do this.");
}
