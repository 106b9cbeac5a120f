import { and, count, eq, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import type { Database, Tx } from "@/db/client";
import { memberships, type TeamRole } from "@/db/schema/memberships";
import { teams, type Team } from "@/db/schema/teams";
import { users } from "@/db/schema/users";
import { recordAudit } from "@/lib/audit/record";
import { AppError, notFound } from "@/lib/errors";
import { crashPoint } from "@/lib/faults/crash-point";
import { newId } from "@/lib/ids";
import { deleteTeamNamespace, provisionTeamNamespace } from "@/lib/k8s/team-namespace";
import { deleteRepositoriesUnder } from "@/lib/snapshots/registry";
import { markGcNeeded } from "@/lib/snapshots/registry-gc";
import { validateTeamSlug } from "@/lib/validation/names";
import { ensureInstallId, maxTeamsPerUser } from "@/lib/settings/instance";
import { namespaceForTeam } from "./namespace-name";
import { findTeamBySlug } from "./queries";
import { roleAtLeast } from "./roles";


/**
 * Inserts a team and its owner inside `tx`, then provisions its namespace. Called inside a
 * transaction so a Kubernetes failure rolls the rows back: no team without a namespace.
 */
export async function insertTeamWithNamespace(
  tx: Tx,
  input: { slug: string; displayName: string; ownerId: string; personal: boolean },
  making: NamespaceMaking,
): Promise<Team> {
  const team = {
    id: newId(),
    slug: input.slug,
    displayName: input.displayName,
    namespace: namespaceForTeam(input.slug),
    personal: input.personal,
  };
  const [row] = await tx.insert(teams).values(team).onConflictDoNothing().returning();
  if (!row) throw new AppError("conflict", `The team name "${input.slug}" is taken.`, { field: "slug" });
  await tx.insert(memberships).values({ teamId: team.id, userId: input.ownerId, role: "owner" });
  await provisionTeamNamespace(team.namespace, team.id, {
    installId: making.installId,
    teamExists: async (id) => (await tx.select({ id: teams.id }).from(teams).where(eq(teams.id, id)).limit(1)).length > 0,
  });
  // From here on a failure anywhere in the transaction (the caller's writes too) removes it again.
  making.made = team.namespace;
  crashPoint("team:after-namespace");
  return row;
}

/** A transaction that may make a team namespace: this install's id, and the namespace once made. */
export interface NamespaceMaking {
  installId: string;
  made?: string;
}

/**
 * Runs `work` in a transaction that may create a namespace (insertTeamWithNamespace). If anything
 * after the namespace fails — the work's later writes or the commit — the namespace is deleted
 * again: no namespace without its team.
 */
export async function withNamespaceCompensation<T>(db: Database, work: (tx: Tx, making: NamespaceMaking) => Promise<T>): Promise<T> {
  // Committed before the namespace is made: what marks it as this install's must outlive a crash.
  const making: NamespaceMaking = { installId: await ensureInstallId(db) };
  try {
    return await db.transaction((tx) => work(tx, making));
  } catch (err) {
    if (making.made) await deleteTeamNamespace(making.made).catch((e) => console.error("[devbox] compensation failed", e));
    throw err;
  }
}

/** Teams the user owns, besides their personal one. */
async function ownedTeamCount(tx: Pick<Database, "select">, userId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(and(eq(memberships.userId, userId), eq(memberships.role, "owner"), eq(teams.personal, false)));
  return row?.n ?? 0;
}

export async function createTeam(db: Database, actorId: string, input: { slug: string; displayName?: string }): Promise<Team> {
  const slug = validateTeamSlug(input.slug);
  const displayName = (input.displayName ?? "").trim() || slug;
  if (displayName.length > 80) throw new AppError("bad_request", "Display names are at most 80 characters.", { field: "displayName" });
  if (await findTeamBySlug(db, slug)) throw new AppError("conflict", `The team name "${slug}" is taken.`, { field: "slug" });
  const limit = await maxTeamsPerUser(db);
  const team = await withNamespaceCompensation(db, async (tx, making) => {
    // Per user, serialized, so two parallel creations cannot both slip under the limit.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`teams:${actorId}`}))`);
    if ((await ownedTeamCount(tx, actorId)) >= limit)
      throw new AppError("quota_exceeded", `You can own at most ${limit} teams besides your personal one: delete one or ask an administrator to raise the limit.`);
    const team = await insertTeamWithNamespace(tx, { slug, displayName, ownerId: actorId, personal: false }, making);
    // With the row: a retry answers "taken", so the event must have committed with it.
    await recordAudit(tx, { actorId, teamId: team.id, action: "team.create", target: slug });
    return team;
  });
  return team;
}

/**
 * Asks for the team's deletion and carries it out. The request and its event commit first (the
 * team is marked `deletingSince`); from then on the deletion only goes forward: the namespace,
 * the registry's repositories under it, the row. A crash (or a Kubernetes refusal) part way is
 * finished by the reconciler (resumeTeamDeletions) or by the user's retry, whichever comes first.
 */
export async function deleteTeam(db: Database, actorId: string, team: Team): Promise<void> {
  if (team.personal) throw new AppError("bad_request", "A personal team cannot be deleted.");
  await db.transaction(async (tx) => {
    const [marked] = await tx.update(teams).set({ deletingSince: new Date() }).where(and(eq(teams.id, team.id), isNull(teams.deletingSince))).returning({ id: teams.id });
    // A retry of a deletion already asked for is not a second request.
    if (marked) await recordAudit(tx, { actorId, teamId: team.id, action: "team.delete", target: team.slug });
  });
  await finishTeamDeletion(db, team);
}

/** The steps after the request; each is done again harmlessly by a retry. */
async function finishTeamDeletion(db: Database, team: Team): Promise<void> {
  await deleteTeamNamespace(team.namespace);
  crashPoint("team:after-namespace-delete");
  // Its devboxes' snapshots: a later team of the same name must not inherit them. The GC is
  // marked due before (a crash after the deletes still leaves the mark) and after.
  await markGcNeeded(db);
  if ((await deleteRepositoriesUnder(team.namespace)) > 0) await markGcNeeded(db);
  await db.delete(teams).where(eq(teams.id, team.id));
}

/** A deletion nobody carries on is retried this long after it was asked for, or last retried. */
const DELETION_RETRY_MS = 60_000;

/**
 * For the reconciler's leader: finishes team deletions a crash (or a refusal) interrupted. Each is
 * claimed by one conditional UPDATE that moves `deletingSince` (at most one retry a minute, and
 * one process per team).
 */
export async function resumeTeamDeletions(db: Database): Promise<void> {
  const stale = and(isNotNull(teams.deletingSince), lt(teams.deletingSince, new Date(Date.now() - DELETION_RETRY_MS)));
  const waiting = await db.select().from(teams).where(stale).limit(5);
  for (const team of waiting) {
    const [claimed] = await db.update(teams).set({ deletingSince: new Date() }).where(and(eq(teams.id, team.id), eq(teams.deletingSince, team.deletingSince!))).returning({ id: teams.id });
    if (!claimed) continue;
    console.log(`[devbox] team ${team.slug}: finishing its interrupted deletion`);
    await finishTeamDeletion(db, team).catch((err) => console.error(`[devbox] deleting team ${team.slug} failed:`, err instanceof Error ? err.message : err));
  }
}

/** The actor's role in the team, read inside `tx` (locked with FOR UPDATE when asked). */
async function roleOf(tx: Pick<Database, "select">, teamId: string, userId: string): Promise<TeamRole | undefined> {
  const [row] = await tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)))
    .limit(1);
  return row?.role;
}

export async function addMember(db: Database, actorId: string, team: Team, email: string, role: TeamRole): Promise<void> {
  // A personal team is its owner's alone (quota, snapshots, namespace): sharing goes through a team.
  if (team.personal) throw new AppError("bad_request", "A personal team cannot have other members: create a team to work together.");
  const actorRole = await roleOf(db, team.id, actorId);
  if (!actorRole || !roleAtLeast(actorRole, "admin")) throw new AppError("forbidden", "Only owners and admins can add members.");
  if (role === "owner" && actorRole !== "owner") throw new AppError("forbidden", "Only owners can add owners.", { field: "role" });
  const [user] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1);
  if (!user) throw new AppError("not_found", "No account with this email. Ask them to sign up first.", { field: "email" });
  // With its audit event: a retry answers "already a member", so the event must have committed with it.
  await db.transaction(async (tx) => {
    const inserted = await tx.insert(memberships).values({ teamId: team.id, userId: user.id, role }).onConflictDoNothing().returning();
    if (inserted.length === 0) throw new AppError("conflict", `${user.email} is already a member.`, { field: "email" });
    await recordAudit(tx, { actorId, teamId: team.id, action: "team.member.add", target: user.email, details: { role } });
  });
}

/**
 * Removes a member (or lets a member leave). One transaction with the team's owner rows, the
 * actor's and the target's locked (FOR UPDATE): two owners removing each other at once are
 * serialized, and the second sees one owner left and is refused. Only owners remove owners and
 * admins. Their open terminals and event streams end within seconds (lib/auth/access-watch.ts).
 */
export async function removeMember(db: Database, actorId: string, team: Team, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const locked = await tx
      .select({ userId: memberships.userId, role: memberships.role })
      .from(memberships)
      .where(
        and(
          eq(memberships.teamId, team.id),
          or(eq(memberships.role, "owner"), inArray(memberships.userId, [actorId, userId])),
        ),
      )
      .for("update");
    const actorRole = locked.find((m) => m.userId === actorId)?.role;
    const target = locked.find((m) => m.userId === userId);
    if (!actorRole) throw notFound("Team");
    if (!target) throw notFound("Member");
    if (actorId !== userId) {
      if (!roleAtLeast(actorRole, "admin")) throw new AppError("forbidden", "Only owners and admins can remove members.");
      if (roleAtLeast(target.role, "admin") && actorRole !== "owner")
        throw new AppError("forbidden", `Only owners can remove ${target.role === "owner" ? "an owner" : "an admin"}.`);
    }
    const owners = locked.filter((m) => m.role === "owner");
    if (target.role === "owner" && owners.length === 1) throw new AppError("bad_request", "A team needs at least one owner.");
    await tx.delete(memberships).where(and(eq(memberships.teamId, team.id), eq(memberships.userId, userId)));
    // In the same transaction: a retry finds no member to remove and could not log it any more.
    await recordAudit(tx, { actorId, teamId: team.id, action: "team.member.remove", target: userId });
  });
}
