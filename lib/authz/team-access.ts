import { getDb } from "@/db/client";
import type { TeamRole } from "@/db/schema/memberships";
import type { User } from "@/db/schema/users";
import { AppError, notFound } from "@/lib/errors";
import { findTeamForMember, type TeamWithRole } from "@/lib/teams/queries";
import { roleAtLeast } from "@/lib/teams/roles";

/**
 * The single authorization check for team resources. A team the user is not a member of is
 * "not found", never "forbidden": other teams' names must not leak.
 */
export async function requireTeamRole(user: User, teamSlug: string, minimum: TeamRole): Promise<TeamWithRole> {
  const team = await findTeamForMember(await getDb(), teamSlug, user.id);
  if (!team) throw notFound("Team");
  if (!roleAtLeast(team.role, minimum))
    throw new AppError("forbidden", `This needs the ${minimum} role or higher in this team (you are ${team.role}).`);
  return team;
}

export function requireInstanceAdmin(user: User): void {
  if (!user.isInstanceAdmin) throw new AppError("forbidden", "Only instance administrators can do this.");
}
