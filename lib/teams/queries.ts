import { and, asc, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { memberships, type TeamRole } from "@/db/schema/memberships";
import { teams, type Team } from "@/db/schema/teams";
import { users } from "@/db/schema/users";

export interface TeamWithRole extends Team {
  role: TeamRole;
}

export async function listTeamsForUser(db: Database, userId: string): Promise<TeamWithRole[]> {
  const rows = await db
    .select({ team: teams, role: memberships.role })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(teams.personal), asc(teams.slug));
  // Personal team first.
  return rows.map((r) => ({ ...r.team, role: r.role })).sort((a, b) => Number(b.personal) - Number(a.personal));
}

/** The team and the user's role in it, or undefined when the user is not a member. */
export async function findTeamForMember(db: Database, slug: string, userId: string): Promise<TeamWithRole | undefined> {
  const [row] = await db
    .select({ team: teams, role: memberships.role })
    .from(teams)
    .innerJoin(memberships, and(eq(memberships.teamId, teams.id), eq(memberships.userId, userId)))
    .where(eq(teams.slug, slug))
    .limit(1);
  return row ? { ...row.team, role: row.role } : undefined;
}

export async function findTeamBySlug(db: Database, slug: string): Promise<Team | undefined> {
  const [row] = await db.select().from(teams).where(eq(teams.slug, slug)).limit(1);
  return row;
}

export async function listMembers(db: Database, teamId: string) {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.teamId, teamId))
    .orderBy(asc(users.email));
}
