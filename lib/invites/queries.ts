import { and, desc, eq, gt, inArray, isNull, lt, sql, type SQLWrapper } from "drizzle-orm";
import type { Database } from "@/db/client";
import { memberships } from "@/db/schema/memberships";
import { teamInvites, type TeamInvite } from "@/db/schema/team-invites";
import { teams, type Team } from "@/db/schema/teams";
import { users } from "@/db/schema/users";
import { sha256 } from "@/lib/preview/tokens";
import { ROLES, roleAtLeast } from "@/lib/teams/roles";

/** creator_gone: whoever made it is no owner or admin of the team any more (lib/invites/service.ts acceptInvite). */
export type InviteState = "pending" | "expired" | "revoked" | "used_up" | "creator_gone";

/**
 * An invite carries its creator's authority: it holds while a membership row says they may still
 * make one (the role the invites routes require). One condition for the acceptance, the invite
 * page and the members page's list, so they cannot disagree.
 */
const INVITING_ROLES = ROLES.filter((r) => roleAtLeast(r, "admin"));
const mayInviteMembership = (teamId: SQLWrapper | string, userId: SQLWrapper | string) =>
  and(eq(memberships.teamId, teamId), eq(memberships.userId, userId), inArray(memberships.role, INVITING_ROLES));

/**
 * Whether the invite's creator may still invite to its team. `lock` takes a shared lock on their
 * membership row so a removal in flight finishes first or waits (for the acceptance's transaction).
 */
export async function creatorMayInvite(tx: Pick<Database, "select">, invite: Pick<TeamInvite, "teamId" | "createdBy">, opts: { lock?: boolean } = {}): Promise<boolean> {
  const q = tx.select({ role: memberships.role }).from(memberships).where(mayInviteMembership(invite.teamId, invite.createdBy));
  return (await (opts.lock ? q.for("share") : q)).length > 0;
}

export function inviteState(i: Pick<TeamInvite, "revokedAt" | "expiresAt" | "uses" | "maxUses">, now = new Date()): InviteState {
  if (i.revokedAt) return "revoked";
  if (i.uses >= i.maxUses) return "used_up";
  if (i.expiresAt <= now) return "expired";
  return "pending";
}

export async function insertInvite(db: Database, v: Omit<typeof teamInvites.$inferInsert, "tokenHash"> & { token: string }): Promise<TeamInvite> {
  const { token, ...rest } = v;
  const [row] = await db.insert(teamInvites).values({ ...rest, tokenHash: sha256(token) }).returning();
  return row;
}

export async function findInviteByToken(db: Database, token: string): Promise<{ invite: TeamInvite; team: Team } | undefined> {
  const [row] = await db.select({ invite: teamInvites, team: teams }).from(teamInvites).innerJoin(teams, eq(teams.id, teamInvites.teamId)).where(eq(teamInvites.tokenHash, sha256(token))).limit(1);
  return row;
}

export async function listPendingInvites(db: Database, teamId: string) {
  return db
    .select({ invite: teamInvites, createdBy: users.email })
    .from(teamInvites)
    .leftJoin(users, eq(users.id, teamInvites.createdBy))
    // Only invites that would still be accepted: their creator can still invite.
    .innerJoin(memberships, mayInviteMembership(teamInvites.teamId, teamInvites.createdBy))
    .where(and(eq(teamInvites.teamId, teamId), isNull(teamInvites.revokedAt), gt(teamInvites.expiresAt, new Date()), lt(teamInvites.uses, teamInvites.maxUses)))
    .orderBy(desc(teamInvites.createdAt));
}

export async function revokeInviteRow(db: Database, teamId: string, id: string): Promise<TeamInvite | undefined> {
  const [row] = await db.update(teamInvites).set({ revokedAt: new Date() }).where(and(eq(teamInvites.id, id), eq(teamInvites.teamId, teamId), isNull(teamInvites.revokedAt))).returning();
  return row;
}

export async function findInvite(db: Database, teamId: string, id: string): Promise<TeamInvite | undefined> {
  const [row] = await db.select().from(teamInvites).where(and(eq(teamInvites.id, id), eq(teamInvites.teamId, teamId))).limit(1);
  return row;
}

/** Takes one use, only while the invite holds: one conditional UPDATE, so the last use is taken once. */
export async function takeInviteUse(tx: Pick<Database, "update">, id: string): Promise<boolean> {
  const rows = await tx
    .update(teamInvites)
    .set({ uses: sql`${teamInvites.uses} + 1` })
    .where(and(eq(teamInvites.id, id), isNull(teamInvites.revokedAt), gt(teamInvites.expiresAt, new Date()), lt(teamInvites.uses, teamInvites.maxUses)))
    .returning({ id: teamInvites.id });
  return rows.length === 1;
}
