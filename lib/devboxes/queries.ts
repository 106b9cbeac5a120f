import { and, desc, eq, inArray } from "drizzle-orm";
import type { Database } from "@/db/client";
import { devboxOperations, type DevboxOperation, type OperationKind } from "@/db/schema/devbox-operations";
import { devboxes, type Devbox } from "@/db/schema/devboxes";
import { teams } from "@/db/schema/teams";
import { users } from "@/db/schema/users";
import { announceDevboxChange } from "./change-bus";

export async function findDevbox(db: Database, teamId: string, name: string): Promise<Devbox | undefined> {
  const [row] = await db
    .select()
    .from(devboxes)
    .where(and(eq(devboxes.teamId, teamId), eq(devboxes.name, name)))
    .limit(1);
  return row;
}

export async function findDevboxById(db: Database, id: string): Promise<Devbox | undefined> {
  const [row] = await db.select().from(devboxes).where(eq(devboxes.id, id)).limit(1);
  return row;
}

export const listTeamDevboxes = (db: Database, teamId: string): Promise<Devbox[]> =>
  db.select().from(devboxes).where(eq(devboxes.teamId, teamId)).orderBy(devboxes.name);

/** Every devbox with its namespace: the reconciler's view. */
export async function listAllDevboxesWithNamespace(db: Database): Promise<(Devbox & { namespace: string })[]> {
  const rows = await db.select({ d: devboxes, namespace: teams.namespace }).from(devboxes).innerJoin(teams, eq(teams.id, devboxes.teamId));
  return rows.map((r) => ({ ...r.d, namespace: r.namespace }));
}

/** The newest pending operation per devbox (it decides Creating vs Starting vs Restarting). */
export async function pendingOperations(db: Database, devboxIds?: string[]): Promise<Map<string, DevboxOperation[]>> {
  const where = devboxIds
    ? and(eq(devboxOperations.status, "pending"), inArray(devboxOperations.devboxId, devboxIds))
    : eq(devboxOperations.status, "pending");
  const rows = await db.select().from(devboxOperations).where(where).orderBy(desc(devboxOperations.requestedAt));
  const byDevbox = new Map<string, DevboxOperation[]>();
  for (const op of rows) byDevbox.set(op.devboxId, [...(byDevbox.get(op.devboxId) ?? []), op]);
  return byDevbox;
}

export async function recentOperations(db: Database, devboxId: string, limit = 20) {
  return db
    .select({ op: devboxOperations, actorEmail: users.email })
    .from(devboxOperations)
    .leftJoin(users, eq(users.id, devboxOperations.actorId))
    .where(eq(devboxOperations.devboxId, devboxId))
    .orderBy(desc(devboxOperations.requestedAt))
    .limit(limit);
}

/** Closes the pending operations of the given kinds (the reconciler saw them done or failed). */
export async function finishOperations(
  db: Database,
  devboxId: string,
  kinds: OperationKind[],
  outcome: { status: "succeeded" | "failed" | "superseded"; error?: string },
): Promise<void> {
  const done = await db
    .update(devboxOperations)
    .set({ status: outcome.status, error: outcome.error ?? null, finishedAt: new Date() })
    .where(and(eq(devboxOperations.devboxId, devboxId), eq(devboxOperations.status, "pending"), inArray(devboxOperations.kind, kinds)))
    .returning({ id: devboxOperations.id });
  // Open pages show operations: tell them one ended (only when one did, so no wake-up loop).
  if (done.length > 0) announceDevboxChange(devboxId);
}

export async function setLastError(db: Database, devboxId: string, lastError: string | null): Promise<void> {
  await db.update(devboxes).set({ lastError }).where(eq(devboxes.id, devboxId));
}
