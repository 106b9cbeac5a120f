import { AppsV1Api, CoreV1Api, type V1Deployment } from "@kubernetes/client-node";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Database, Tx } from "@/db/client";
import { apps, type App } from "@/db/schema/apps";
import { devboxes } from "@/db/schema/devboxes";
import { releases, type Release } from "@/db/schema/releases";
import type { Team } from "@/db/schema/teams";
import { recordAudit } from "@/lib/audit/record";
import { findDevbox } from "@/lib/devboxes/queries";
import { AppError, notFound } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { kubeConfig } from "@/lib/k8s/config";
import { fromK8sError, isAlreadyExists, isNotFound } from "@/lib/k8s/errors";
import { findRelease } from "@/lib/releases/requests";
import { assertAppFitsQuota } from "./quota";
import { appServiceName, buildAppService, buildDeployment, deploymentName } from "./k8s-objects";
import type { CreateAppBody, UpdateAppBody } from "./schemas";

/**
 * Apps: a release run as a Deployment + Service in the team's namespace. The DB row is what the
 * user asked for; each request writes it and applies the objects (create, or replace keeping the
 * resourceVersion). Kubernetes rolls the Pods; pages read their state from the app cache.
 * Each request is authorized by the caller (requireTeamRole) before it gets here.
 */

const appsApi = () => kubeConfig().makeApiClient(AppsV1Api);
const coreApi = () => kubeConfig().makeApiClient(CoreV1Api);

export async function findApp(db: Database, teamId: string, name: string): Promise<App | undefined> {
  return (await db.select().from(apps).where(and(eq(apps.teamId, teamId), eq(apps.name, name))).limit(1))[0];
}

export const listApps = (db: Database, teamId: string): Promise<App[]> => db.select().from(apps).where(eq(apps.teamId, teamId)).orderBy(asc(apps.name));

export async function releaseById(db: Database | Tx, id: string): Promise<Release | undefined> {
  return (await db.select().from(releases).where(eq(releases.id, id)))[0];
}

/** A ready release of a devbox in this team, by devbox name and tag. */
async function readyRelease(db: Database, team: Team, ref: { devbox: string; tag: string }): Promise<Release> {
  const d = await findDevbox(db, team.id, ref.devbox);
  if (!d || d.desiredState === "deleted") throw new AppError("bad_request", `No devbox "${ref.devbox}" in this team.`, { field: "release" });
  const r = await findRelease(db, d.id, ref.tag);
  if (!r) throw new AppError("bad_request", `Devbox "${ref.devbox}" has no release "${ref.tag}".`, { field: "release" });
  if (r.status !== "ready") throw new AppError("conflict", `Release "${ref.tag}" is ${r.status === "pending" ? "still being made" : "failed"}: only a ready release can be deployed.`, { field: "release" });
  return r;
}


/**
 * Inside the transaction that points an app at a release: the release's devbox row locked (shared)
 * and not being deleted. A devbox delete checks for apps under its own (exclusive) row lock, so a
 * deploy and a delete racing cannot both win (an app left on a release whose image is deleted).
 */
async function lockReleaseDevbox(tx: Tx, r: Release): Promise<void> {
  const [d] = await tx.select({ desiredState: devboxes.desiredState }).from(devboxes).where(eq(devboxes.id, r.devboxId)).for("share");
  if (!d || d.desiredState === "deleted") throw new AppError("conflict", `The devbox of release "${r.tag}" is being deleted.`, { field: "release" });
}

/** Creates or replaces the app's Deployment and Service to match the row. */
export async function applyApp(team: Team, a: App, r: Release): Promise<void> {
  const ns = team.namespace;
  const body = buildDeployment(a, r);
  try {
    try {
      await appsApi().createNamespacedDeployment({ namespace: ns, body });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const cur = await appsApi().readNamespacedDeployment({ name: deploymentName(a), namespace: ns });
      const next: V1Deployment = { ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata?.resourceVersion } };
      await appsApi().replaceNamespacedDeployment({ name: deploymentName(a), namespace: ns, body: next });
    }
    const svc = buildAppService(a, r);
    if (svc) {
      try {
        await coreApi().createNamespacedService({ namespace: ns, body: svc });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        const cur = await coreApi().readNamespacedService({ name: appServiceName(a), namespace: ns });
        await coreApi().replaceNamespacedService({
          name: appServiceName(a),
          namespace: ns,
          body: { ...svc, metadata: { ...svc.metadata, resourceVersion: cur.metadata?.resourceVersion }, spec: { ...svc.spec, clusterIP: cur.spec?.clusterIP } },
        });
      }
    } else {
      await coreApi().deleteNamespacedService({ name: appServiceName(a), namespace: ns }).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
    }
  } catch (err) {
    throw fromK8sError(err, "deploy the app");
  }
}

/**
 * Deploys a release as a new app; nothing is created when it does not fit the quota or the name is
 * taken. The row and its event commit together: a crash before the objects are applied leaves an
 * app the reconciler applies (lib/apps/reconcile.ts), logged; a crash after, the same. Kubernetes
 * refusing takes the row back, and the log says so (it is append-only).
 */
export async function createApp(db: Database, team: Team, actorId: string, body: CreateAppBody): Promise<App> {
  if (await findApp(db, team.id, body.name)) throw new AppError("conflict", `An app named "${body.name}" already exists in this team.`, { field: "name" });
  const r = await readyRelease(db, team, body.release);
  await assertAppFitsQuota(team, body);
  const a = await db.transaction(async (tx) => {
    await lockReleaseDevbox(tx, r);
    const [row] = await tx
      .insert(apps)
      .values({
        id: newId(),
        teamId: team.id,
        name: body.name,
        devboxId: r.devboxId,
        releaseId: r.id,
        replicas: body.replicas,
        cpuMillis: body.cpuMillis,
        memoryMiB: body.memoryMiB,
        env: body.env,
        command: body.command ?? null,
        probePath: body.probePath ?? null,
        createdBy: actorId,
      })
      .onConflictDoNothing()
      .returning();
    if (row) await recordAudit(tx, { actorId, teamId: team.id, action: "app.create", target: row.name, details: { release: r.tag, devbox: body.release.devbox, replicas: row.replicas } });
    return row;
  });
  if (!a) throw new AppError("conflict", `An app named "${body.name}" already exists in this team.`, { field: "name" });
  try {
    await applyApp(team, a, r);
  } catch (err) {
    // Nothing half-made: the row goes when Kubernetes refused the objects.
    await db.transaction(async (tx) => {
      await tx.delete(apps).where(eq(apps.id, a.id));
      await recordAudit(tx, { actorId, teamId: team.id, action: "app.create.undone", target: a.name, details: { reason: errorText(err) } });
    });
    await removeObjects(team, a).catch(() => {});
    throw err;
  }
  return a;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Scale, resources, env, command, or a rolling update to another release (the current one becomes the rollback target). */
export async function updateApp(db: Database, team: Team, actorId: string, name: string, body: UpdateAppBody): Promise<App> {
  const a = await findApp(db, team.id, name);
  if (!a) throw notFound("App");
  const next = body.release ? await readyRelease(db, team, body.release) : undefined;
  const wanted = { replicas: body.replicas ?? a.replicas, cpuMillis: body.cpuMillis ?? a.cpuMillis, memoryMiB: body.memoryMiB ?? a.memoryMiB };
  await assertAppFitsQuota(team, wanted, a);
  const changes: Partial<App> = { ...wanted, updatedAt: new Date() };
  if (body.env) changes.env = body.env;
  if (body.command !== undefined) changes.command = body.command;
  const moves = next && next.id !== a.releaseId ? next : undefined;
  if (moves) Object.assign(changes, { releaseId: moves.id, previousReleaseId: a.releaseId, devboxId: moves.devboxId });
  return save(db, team, actorId, a, changes, next ? "app.update" : body.replicas === 0 ? "app.stop" : "app.scale", moves);
}

/** One click: back to the release that ran before the last update (which becomes the next rollback target). */
export async function rollbackApp(db: Database, team: Team, actorId: string, name: string): Promise<App> {
  const a = await findApp(db, team.id, name);
  if (!a) throw notFound("App");
  if (!a.previousReleaseId) throw new AppError("conflict", "This app has no previous release to roll back to.");
  const prev = await releaseById(db, a.previousReleaseId);
  if (!prev || prev.status !== "ready") throw new AppError("conflict", "The previous release is no longer available.");
  return save(db, team, actorId, a, { releaseId: prev.id, previousReleaseId: a.releaseId, devboxId: prev.devboxId, updatedAt: new Date() }, "app.rollback", prev);
}

/**
 * The row's updated_at is what this Date was read from. PostgreSQL keeps microseconds (a row made
 * by createApp: defaultNow()), a Date only milliseconds: compared as is, a new app's first update
 * was always "changed meanwhile".
 */
const unchangedSince = (readAt: Date) => sql`date_trunc('milliseconds', ${apps.updatedAt}) = ${readAt.toISOString()}::timestamptz`;

/**
 * Writes the row only if nobody changed it meanwhile (`to`: the release it moves to, whose devbox
 * must not be being deleted), with its event, then applies; a crash before the apply leaves a row
 * the reconciler applies. Kubernetes refusing puts the row back, and the log says so.
 */
async function save(db: Database, team: Team, actorId: string, a: App, changes: Partial<App>, action: string, to?: Release): Promise<App> {
  const saved = await db.transaction(async (tx) => {
    if (to) await lockReleaseDevbox(tx, to);
    const [row] = await tx.update(apps).set(changes).where(and(eq(apps.id, a.id), unchangedSince(a.updatedAt))).returning();
    if (!row) return undefined;
    const r = (await releaseById(tx, row.releaseId))!;
    await recordAudit(tx, { actorId, teamId: team.id, action, target: a.name, details: { release: r.tag, replicas: row.replicas } });
    return { row, r };
  });
  if (!saved) throw new AppError("conflict", "The app was changed meanwhile; reload and try again.");
  const { row, r } = saved;
  try {
    await applyApp(team, row, r);
  } catch (err) {
    // Only if the row is still what this request wrote: a later request's change stays.
    await db.transaction(async (tx) => {
      const back = await tx.update(apps).set({ ...a }).where(and(eq(apps.id, a.id), unchangedSince(row.updatedAt))).returning({ id: apps.id });
      if (back.length) await recordAudit(tx, { actorId, teamId: team.id, action: `${action}.undone`, target: a.name, details: { reason: errorText(err) } });
    });
    throw err;
  }
  return row;
}

/** Deletes an app's Deployment (its Pods go with it) and Service; missing is fine. */
export async function removeAppObjects(namespace: string, name: string): Promise<void> {
  for (const del of [
    () => appsApi().deleteNamespacedDeployment({ name: deploymentName({ name }), namespace, propagationPolicy: "Background" }),
    () => coreApi().deleteNamespacedService({ name: appServiceName({ name }), namespace }),
  ]) {
    await del().catch((err) => {
      if (!isNotFound(err)) throw fromK8sError(err, "delete the app");
    });
  }
}

const removeObjects = (team: Team, a: App) => removeAppObjects(team.namespace, a.name);

/**
 * Deletes the row (the release becomes deletable), then the Deployment (its Pods go with it) and
 * Service; a crash between leaves objects without a row, which the reconciler removes.
 */
export async function deleteApp(db: Database, team: Team, actorId: string, name: string): Promise<void> {
  const a = await findApp(db, team.id, name);
  if (!a) throw notFound("App");
  // The row and its event together (a retry finds no app); the objects follow, and the
  // reconciler removes them if a crash comes first (lib/apps/reconcile.ts).
  await db.transaction(async (tx) => {
    await tx.delete(apps).where(eq(apps.id, a.id));
    await recordAudit(tx, { actorId, teamId: team.id, action: "app.delete", target: a.name });
  });
  await removeObjects(team, a);
}

/** The last `tail` lines of an app replica's log (the caller checked the Pod is the app's). */
export async function appLogs(team: Team, podName: string, tail: number): Promise<string> {
  try {
    return (await coreApi().readNamespacedPodLog({ name: podName, namespace: team.namespace, container: "app", tailLines: tail })) ?? "";
  } catch (err) {
    throw fromK8sError(err, "read the app's log");
  }
}

/** A devbox whose releases an app runs cannot be deleted (its releases go with it). */
export async function assertNoAppRunsReleasesOf(db: Pick<Database, "select">, devboxId: string): Promise<void> {
  const running = await db
    .select({ name: apps.name })
    .from(apps)
    .innerJoin(releases, eq(releases.id, apps.releaseId))
    .where(eq(releases.devboxId, devboxId));
  if (running.length)
    throw new AppError("conflict", `The app${running.length > 1 ? "s" : ""} ${running.map((a) => `"${a.name}"`).join(", ")} run${running.length > 1 ? "" : "s"} a release of this devbox: delete ${running.length > 1 ? "them" : "it"} first (deleting the devbox deletes its releases).`);
}
