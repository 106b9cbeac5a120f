import type { TeamRole } from "@/db/schema/memberships";

export const ROLES: readonly TeamRole[] = ["viewer", "developer", "admin", "owner"];

const rank: Record<TeamRole, number> = { viewer: 0, developer: 1, admin: 2, owner: 3 };

export function roleAtLeast(role: TeamRole, minimum: TeamRole): boolean {
  return rank[role] >= rank[minimum];
}

export function isTeamRole(s: string): s is TeamRole {
  return s in rank;
}
