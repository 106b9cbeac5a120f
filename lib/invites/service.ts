import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { memberships } from "@/db/schema/memberships";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { enforceLimits, sharingLimits, waitText } from "@/lib/abuse/rate-limit";
import { recordAudit } from "@/lib/audit/record";
import { dashboardOrigin } from "@/lib/auth/callback-url";
import { AppError, notFound } from "@/lib/errors";
import { randomToken } from "@/lib/preview/tokens";
import type { TeamWithRole } from "@/lib/teams/queries";
import { creatorMayInvite, findInvite, findInviteByToken, insertInvite, inviteState, listPendingInvites, revokeInviteRow, takeInviteUse, type InviteState } from "./queries";
import type { CreateInviteBody, InviteView } from "./schemas";

export const inviteUrl = (token: string) => `${dashboardOrigin()}/invite/${token}`;

/** Owners and admins (checked by the caller through lib/authz) invite; an admin cannot make admins of the team's owners' rank. */
export async function createInvite(db: Database, user: User, team: TeamWithRole, body: CreateInviteBody): Promise<InviteView> {
  if (team.personal) throw new AppError("bad_request", "A personal team cannot have other members: create a team to work together.");
  await enforceLimits(db, [[sharingLimits().invites, user.id]], (s) => `Too many invite links created: try again in ${waitText(s)}.`);
  const token = randomToken();
  // The invite and its audit event commit together: no grant the log does not show.
  const invite = await db.transaction(async (tx) => {
    const invite = await insertInvite(tx, { token, teamId: team.id, role: body.role, maxUses: body.maxUses, createdBy: user.id, expiresAt: new Date(Date.now() + body.expiresInHours * 3600_000) });
    await recordAudit(tx, { actorId: user.id, teamId: team.id, action: "team.invite.created", target: invite.id, details: { role: body.role, maxUses: body.maxUses, expiresAt: invite.expiresAt.toISOString() } });
    return invite;
  });
  return { ...view(invite, user.email), url: inviteUrl(token) };
}

function view(i: { id: string; role: string; uses: number; maxUses: number; createdAt: Date; expiresAt: Date }, createdBy: string | null): InviteView {
  return { id: i.id, role: i.role, uses: i.uses, maxUses: i.maxUses, createdBy, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString() };
}

export async function pendingInvites(db: Database, teamId: string): Promise<InviteView[]> {
  return (await listPendingInvites(db, teamId)).map((r) => view(r.invite, r.createdBy));
}

export async function revokeInvite(db: Database, user: User, team: Team, id: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/.test(id) || !(await findInvite(db, team.id, id))) throw notFound("Invite");
  // One transaction: a retry that finds it already revoked can skip the event only because the
  // revocation and its event committed together.
  await db.transaction(async (tx) => {
    if (!(await revokeInviteRow(tx, team.id, id))) return;
    await recordAudit(tx, { actorId: user.id, teamId: team.id, action: "team.invite.revoked", target: id });
  });
}

/** What the invite page shows before anyone acts on it. */
export async function inspectInvite(db: Database, token: string): Promise<{ state: InviteState | "not_found"; team?: Team; role?: string }> {
  const found = token.length <= 64 ? await findInviteByToken(db, token) : undefined;
  if (!found) return { state: "not_found" };
  const state = inviteState(found.invite);
  if (state === "pending" && !(await creatorMayInvite(db, found.invite))) return { state: "creator_gone", team: found.team, role: found.invite.role };
  return { state, team: found.team, role: found.invite.role };
}

const REFUSED: Record<Exclude<InviteState, "pending">, string> = {
  expired: "This invite link has expired. Ask the team for a new one.",
  revoked: "This invite link was revoked.",
  used_up: "This invite link has been used as many times as it allows.",
  creator_gone: "This invite link no longer works: whoever created it can no longer invite to this team.",
};

/**
 * Joins the signed-in user to the invite's team with its role. Someone already a member keeps
 * their role and uses nothing up. Adding the membership, taking one use and the audit event are
 * one transaction, membership first: two people racing for the last use cannot both get in (the
 * loser's membership is rolled back), and the same person in two tabs takes one use (the second
 * insert waits on the first and finds it).
 */
export async function acceptInvite(db: Database, user: User, token: string): Promise<Team> {
  const found = token.length <= 64 ? await findInviteByToken(db, token) : undefined;
  if (!found) throw notFound("Invite");
  const { invite, team } = found;
  const [already] = await db.select().from(memberships).where(and(eq(memberships.teamId, team.id), eq(memberships.userId, user.id))).limit(1);
  if (already) return team;
  const state = inviteState(invite);
  if (state !== "pending") throw new AppError("conflict", REFUSED[state]);
  await db.transaction(async (tx) => {
    // The link carries its creator's authority: once they are no owner or admin of the team any
    // more (removed, or their account deleted), it is dead, or a removed admin could walk back in
    // through an invite made beforehand. Their row is locked (shared) so a removal in flight
    // finishes first or waits.
    if (!(await creatorMayInvite(tx, invite, { lock: true }))) throw new AppError("conflict", REFUSED.creator_gone);
    const [added] = await tx.insert(memberships).values({ teamId: team.id, userId: user.id, role: invite.role }).onConflictDoNothing().returning({ userId: memberships.userId });
    if (!added) return; // joined meanwhile (another tab)
    if (!(await takeInviteUse(tx, invite.id))) {
      const now = inviteState((await findInvite(tx, team.id, invite.id))!);
      throw new AppError("conflict", now === "pending" ? "This invite link no longer works." : REFUSED[now]);
    }
    await recordAudit(tx, { actorId: user.id, teamId: team.id, action: "team.invite.accepted", target: user.email, details: { inviteId: invite.id, role: invite.role } });
  });
  return team;
}
