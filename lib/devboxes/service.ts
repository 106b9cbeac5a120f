import { and, eq, ne, sql, type SQL } from "drizzle-orm";
import { assertNoAppRunsReleasesOf } from "@/lib/apps/service";
import type { Database, Tx } from "@/db/client";
import { devboxOperations, type OperationKind } from "@/db/schema/devbox-operations";
import { devboxes, type Devbox, type EnvVar } from "@/db/schema/devboxes";
import type { Team } from "@/db/schema/teams";
import type { PortSpec } from "@/db/schema/templates";
import { recordAudit } from "@/lib/audit/record";
import { AppError, notFound } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { findTemplate } from "@/lib/templates/queries";
import { announceDevboxChange } from "./change-bus";
import { findDevbox } from "./queries";
import { assertFitsTeamQuota } from "./quota";
import { validateDevboxName, validateEnv, validatePorts, validateResources } from "./spec-input";


export interface CreateDevboxInput {
  name: string;
  templateId: string;
  cpuMillis?: number;
  memoryMiB?: number;
  diskMiB?: number;
  env?: EnvVar[];
  ports?: PortSpec[];
  /** Start from this image instead of the template's (a fork of a snapshot, see lib/snapshots). */
  image?: string;
}

/**
 * Every user request on a devbox follows one shape: validate, change the desired state in one
 * conditional UPDATE (so two clicks, two tabs or two replicas change it once), record the
 * operation, and wake the reconciler, which makes Kubernetes match.
 */
async function recordOperation(tx: Tx, d: Pick<Devbox, "id" | "teamId">, kind: OperationKind, actorId: string | null, details: Record<string, unknown> = {}) {
  // A newer request replaces the ones still pending.
  await tx
    .update(devboxOperations)
    .set({ status: "superseded", finishedAt: new Date() })
    .where(and(eq(devboxOperations.devboxId, d.id), eq(devboxOperations.status, "pending")));
  await tx.insert(devboxOperations).values({ id: newId(), devboxId: d.id, teamId: d.teamId, kind, actorId, details });
}

/**
 * `alsoInTransaction` writes what belongs to the new devbox (a fork's starting snapshot record) in
 * the transaction that inserts it: a crash leaves both or neither, so the user's retry can make it.
 */
export async function createDevbox(db: Database, team: Team, actorId: string, input: CreateDevboxInput, alsoInTransaction?: (tx: Tx, devbox: Devbox) => Promise<void>): Promise<Devbox> {
  const name = validateDevboxName(input.name);
  const template = await findTemplate(db, input.templateId);
  if (!template) throw new AppError("bad_request", "Choose a runtime template.", { field: "templateId" });
  const resources = validateResources({
    cpuMillis: input.cpuMillis ?? template.defaultCpuMillis,
    memoryMiB: input.memoryMiB ?? template.defaultMemoryMiB,
    diskMiB: input.diskMiB ?? template.defaultDiskMiB,
  });
  const env = validateEnv(input.env ?? []);
  const ports = validatePorts(input.ports ?? template.ports);
  if (await findDevbox(db, team.id, name)) throw new AppError("conflict", `A devbox named "${name}" already exists in this team.`, { field: "name" });
  await assertFitsTeamQuota(db, team, resources);

  const devbox = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(devboxes)
      .values({
        id: newId(),
        teamId: team.id,
        name,
        templateId: template.id,
        image: input.image ?? template.image,
        ...resources,
        env,
        ports,
        user: template.user,
        workingDir: template.workingDir,
        createdBy: actorId,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new AppError("conflict", `A devbox named "${name}" already exists in this team.`, { field: "name" });
    await recordOperation(tx, row, "create", actorId, { template: template.name });
    await alsoInTransaction?.(tx, row);
    // With the row: a retry answers "already exists", so the event must have committed with it.
    await recordAudit(tx, { actorId, teamId: team.id, action: "devbox.create", target: name, details: { template: template.name, ...resources } });
    return row;
  });
  announceDevboxChange(devbox.id);
  return devbox;
}

async function loadForChange(db: Database, team: Team, name: string): Promise<Devbox> {
  const d = await findDevbox(db, team.id, name);
  if (!d || d.desiredState === "deleted") throw notFound("Devbox");
  return d;
}

/**
 * Start (turn on). A no-op when it is already asked to run. Every start is a new Pod generation,
 * so a Pod name is never reused: the previous Pod (maybe still exiting after a quick stop) and its
 * events and exit code are never taken for the new one's.
 */
export async function startDevbox(db: Database, team: Team, actorId: string, name: string): Promise<Devbox> {
  const d = await loadForChange(db, team, name);
  if (d.desiredState === "running") return d;
  await assertFitsTeamQuota(db, team, d, d.id);
  return transition(
    db,
    d,
    actorId,
    "start",
    { desiredState: "running", podGeneration: sql`${devboxes.podGeneration} + 1`, lastError: null },
    eq(devboxes.desiredState, "stopped"),
  );
}

/**
 * Start a stopped devbox from another image (an earlier snapshot: lib/snapshots/requests.ts). The
 * image switch is part of the start's one conditional UPDATE: a refusal (quota) or a crash never
 * leaves a stopped devbox switched to an older image that its next plain Start would run.
 */
export async function startDevboxFrom(db: Database, team: Team, actorId: string, name: string, image: string, details: Record<string, unknown>): Promise<Devbox> {
  const d = await loadForChange(db, team, name);
  if (d.desiredState !== "stopped") throw new AppError("conflict", "The devbox was started meanwhile.");
  await assertFitsTeamQuota(db, team, d, d.id);
  const started = await applyTransition(
    db,
    d,
    actorId,
    "start",
    { image, desiredState: "running", podGeneration: sql`${devboxes.podGeneration} + 1`, lastError: null },
    eq(devboxes.desiredState, "stopped"),
    details,
  );
  if (!started) throw new AppError("conflict", "The devbox was started meanwhile.");
  return started;
}

/** Stop (shut down): the Pod goes away; the snapshot step will run before it does. */
export async function stopDevbox(db: Database, team: Team, actorId: string, name: string): Promise<Devbox> {
  const d = await loadForChange(db, team, name);
  if (d.desiredState === "stopped") return d;
  return transition(db, d, actorId, "stop", { desiredState: "stopped", lastError: null }, eq(devboxes.desiredState, "running"));
}

/**
 * Restart (reboot): a new Pod replaces the current one. `seenGeneration` is the Pod generation the
 * user was looking at, so a second click on the same page does not restart twice.
 */
export async function restartDevbox(db: Database, team: Team, actorId: string, name: string, seenGeneration?: number): Promise<Devbox> {
  const d = await loadForChange(db, team, name);
  if (d.desiredState !== "running") throw new AppError("conflict", "Only a running devbox can be restarted. Start it instead.");
  const generation = seenGeneration ?? d.podGeneration;
  if (generation !== d.podGeneration) return d;
  return transition(db, d, actorId, "restart", { podGeneration: sql`${devboxes.podGeneration} + 1`, lastError: null }, eq(devboxes.podGeneration, generation));
}

export interface UpdateDevboxInput {
  cpuMillis?: number;
  memoryMiB?: number;
  diskMiB?: number;
  env?: EnvVar[];
  ports?: PortSpec[];
  seenGeneration?: number;
}

/** Update resources, env and ports: applied by replacing the Pod (the UI says so first). */
export async function updateDevbox(db: Database, team: Team, actorId: string, name: string, input: UpdateDevboxInput): Promise<Devbox> {
  const d = await loadForChange(db, team, name);
  const resources = validateResources({
    cpuMillis: input.cpuMillis ?? d.cpuMillis,
    memoryMiB: input.memoryMiB ?? d.memoryMiB,
    diskMiB: input.diskMiB ?? d.diskMiB,
  });
  const env = validateEnv(input.env ?? d.env);
  const ports = validatePorts(input.ports ?? d.ports);
  const generation = input.seenGeneration ?? d.podGeneration;
  if (generation !== d.podGeneration)
    throw new AppError("conflict", "This devbox changed since you opened the form. Reload and try again.");
  if (d.desiredState === "running") await assertFitsTeamQuota(db, team, resources, d.id);
  const updated = await transition(
    db,
    d,
    actorId,
    "update",
    { ...resources, env, ports, podGeneration: sql`${devboxes.podGeneration} + 1`, lastError: null },
    eq(devboxes.podGeneration, generation),
    { before: { cpuMillis: d.cpuMillis, memoryMiB: d.memoryMiB, diskMiB: d.diskMiB }, after: resources },
  );
  return updated;
}

/** Delete: the reconciler removes every Kubernetes object of the devbox, then its row. */
export async function deleteDevbox(db: Database, team: Team, actorId: string, name: string): Promise<void> {
  const d = await findDevbox(db, team.id, name);
  if (!d) throw notFound("Devbox");
  if (d.desiredState === "deleted") return;
  await assertNoAppRunsReleasesOf(db, d.id);
  // Again under the row lock the delete takes: a deploy racing this one either committed its app
  // (seen here: refused) or waits for the lock and then sees "deleted" (lib/apps/service.ts).
  await transition(db, d, actorId, "delete", { desiredState: "deleted" }, ne(devboxes.desiredState, "deleted"), {}, (tx) => assertNoAppRunsReleasesOf(tx, d.id));
}

/**
 * The automatic stop's stop (idle, maximum lifetime, daily stop; lib/idle/enforce.ts): the normal
 * stop (snapshot first), by nobody, in one conditional UPDATE: only if the devbox still runs the
 * Pod generation the deadline was computed for (a start, restart or update in between wins) and
 * `stillDue` (lib/idle/queries.ts) holds (activity, "keep running" or a settings
 * change in between wins). True when this call stopped it.
 */
export async function stopIdleDevbox(db: Database, d: Pick<Devbox, "id" | "teamId" | "name" | "podGeneration">, details: Record<string, unknown>, stillDue: SQL): Promise<boolean> {
  const guard = and(eq(devboxes.desiredState, "running"), eq(devboxes.podGeneration, d.podGeneration), stillDue)!;
  return (await applyTransition(db, d, null, "stop", { desiredState: "stopped", lastError: null }, guard, details)) !== undefined;
}

async function transition(
  db: Database,
  d: Devbox,
  actorId: string | null,
  kind: OperationKind,
  set: Partial<Record<keyof typeof devboxes.$inferInsert, unknown>>,
  guard: SQL,
  details: Record<string, unknown> = {},
  check?: (tx: Tx) => Promise<void>,
): Promise<Devbox> {
  return (await applyTransition(db, d, actorId, kind, set, guard, details, check)) ?? (await findDevbox(db, d.teamId, d.name)) ?? d;
}

/** The transition, or undefined when someone else's request changed the devbox first. */
async function applyTransition(
  db: Database,
  d: Pick<Devbox, "id" | "teamId" | "name">,
  actorId: string | null,
  kind: OperationKind,
  set: Partial<Record<keyof typeof devboxes.$inferInsert, unknown>>,
  guard: SQL,
  details: Record<string, unknown> = {},
  check?: (tx: Tx) => Promise<void>,
): Promise<Devbox | undefined> {
  const result = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(devboxes)
      .set({ ...set, updatedAt: new Date() } as typeof devboxes.$inferInsert)
      .where(and(eq(devboxes.id, d.id), guard))
      .returning();
    // Someone else's identical request won: theirs is the one that counts.
    if (!row) return undefined;
    // A refusal decided under the row lock (throwing rolls the update back).
    await check?.(tx);
    // "Keep running" belongs to the run it was clicked in: a stop ends it, so the next start is not postponed by it.
    if (kind === "stop") await tx.execute(sql`UPDATE devbox_idle SET keep_until = NULL, keep_by = NULL WHERE devbox_id = ${d.id}`);
    await recordOperation(tx, row, kind, actorId, details);
    // In the same transaction: a retry that finds the change made returns early, so the event
    // must have committed with it.
    await recordAudit(tx, { actorId, teamId: d.teamId, action: `devbox.${kind}`, target: d.name, details });
    return row;
  });
  if (!result) return undefined;
  announceDevboxChange(d.id);
  return result;
}
