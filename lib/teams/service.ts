import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { memberships, type TeamRole } from "@/db/schema/memberships";
import { teams, type Team } from "@/db/schema/teams";
import { users } from "@/db/schema/users";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { deleteTeamNamespace, provisionTeamNamespace } from "@/lib/k8s/team-namespace";
import { deleteRepositoriesUnder } from "@/lib/snapshots/registry";
import { markGcNeeded } from "@/lib/snapshots/registry-gc";
import { validateTeamSlug } from "@/lib/validation/names";
import { namespaceForTeam } from "./namespace-name";
import { findTeamBySlug } from "./queries";

export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Inserts a team and its owner inside `tx`, then provisions its namespace. Called inside a
 * transaction so a Kubernetes failure rolls the rows back: no team without a namespace.
 */
export async function insertTeamWithNamespace(
  tx: Tx,
  input: { slug: string; displayName: string; ownerId: string; personal: boolean },
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
  await provisionTeamNamespace(team.namespace, team.id);
  return row;
}

/**
 * Runs `work` in a transaction that may create a namespace. If the commit itself fails after the
 * namespace was made, the namespace is deleted again: no namespace without its team.
 */
export async function withNamespaceCompensation<T extends { namespace: string }>(
  db: Database,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  let made: T | undefined;
  try {
    return await db.transaction(async (tx) => {
      made = await work(tx);
      return made;
    });
  } catch (err) {
    if (made) await deleteTeamNamespace(made.namespace).catch((e) => console.error("[devbox] compensation failed", e));
    throw err;
  }
}

export async function createTeam(db: Database, actorId: string, input: { slug: string; displayName?: string }): Promise<Team> {
  const slug = validateTeamSlug(input.slug);
  const displayName = (input.displayName ?? "").trim() || slug;
  if (displayName.length > 80) throw new AppError("bad_request", "Display names are at most 80 characters.", { field: "displayName" });
  if (await findTeamBySlug(db, slug)) throw new AppError("conflict", `The team name "${slug}" is taken.`, { field: "slug" });
  const team = await withNamespaceCompensation(db, (tx) =>
    insertTeamWithNamespace(tx, { slug, displayName, ownerId: actorId, personal: false }),
  );
  await recordAudit(db, { actorId, teamId: team.id, action: "team.create", target: slug });
  return team;
}

/** Deletes the namespace first: if Kubernetes refuses, the team stays and can be deleted again. */
export async function deleteTeam(db: Database, actorId: string, team: Team): Promise<void> {
  if (team.personal) throw new AppError("bad_request", "A personal team cannot be deleted.");
  await deleteTeamNamespace(team.namespace);
  // Its devboxes' snapshots: a later team of the same name must not inherit them.
  if ((await deleteRepositoriesUnder(team.namespace)) > 0) markGcNeeded();
  await db.delete(teams).where(eq(teams.id, team.id));
  await recordAudit(db, { actorId, teamId: team.id, action: "team.delete", target: team.slug });
}

export async function addMember(db: Database, actorId: string, team: Team, email: string, role: TeamRole): Promise<void> {
  const [user] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1);
  if (!user) throw new AppError("not_found", "No account with this email. Ask them to sign up first.", { field: "email" });
  const inserted = await db.insert(memberships).values({ teamId: team.id, userId: user.id, role }).onConflictDoNothing().returning();
  if (inserted.length === 0) throw new AppError("conflict", `${user.email} is already a member.`, { field: "email" });
  await recordAudit(db, { actorId, teamId: team.id, action: "team.member.add", target: user.email, details: { role } });
}

export async function removeMember(db: Database, actorId: string, team: Team, userId: string): Promise<void> {
  const owners = await db.select().from(memberships).where(and(eq(memberships.teamId, team.id), eq(memberships.role, "owner")));
  if (owners.length === 1 && owners[0].userId === userId) throw new AppError("bad_request", "A team needs at least one owner.");
  await db.delete(memberships).where(and(eq(memberships.teamId, team.id), eq(memberships.userId, userId)));
  await recordAudit(db, { actorId, teamId: team.id, action: "team.member.remove", target: userId });
}
