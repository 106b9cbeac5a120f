import { and, desc, eq, inArray } from "drizzle-orm";
import type { Database } from "@/db/client";
import { apps } from "@/db/schema/apps";
import type { Devbox } from "@/db/schema/devboxes";
import { releases, type Release } from "@/db/schema/releases";
import { snapshots } from "@/db/schema/snapshots";
import type { Team } from "@/db/schema/teams";
import { users } from "@/db/schema/users";
import { recordAudit } from "@/lib/audit/record";
import { announceDevboxChange } from "@/lib/devboxes/change-bus";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox } from "@/lib/devboxes/service";
import { validateDevboxName } from "@/lib/devboxes/spec-input";
import { AppError, notFound } from "@/lib/errors";
import { crashPoint } from "@/lib/faults/crash-point";
import { newId } from "@/lib/ids";
import { copyImage, deleteManifest, getManifest, parseImageRef, RegistryError } from "@/lib/snapshots/registry";
import { beginPush, endPush, RegistryBusyError } from "@/lib/snapshots/registry-holds";
import { runningPodOf } from "@/lib/snapshots/requests";
import { listSnapshots, repositoryOf, tagFor } from "@/lib/snapshots/service";
import { buildRelease, releaseRepository } from "./build";
import { devboxImageConfig, rewriteConfig } from "./image";
import { DEFAULT_ENTRYPOINT, type CreateReleaseBody } from "./schemas";

/** User requests about releases, each authorized by the caller (requireDevboxRole) before it gets here. */

async function load(db: Database, team: Team, name: string): Promise<Devbox & { namespace: string }> {
  const d = await findDevbox(db, team.id, name);
  if (!d || d.desiredState === "deleted") throw notFound("Devbox");
  return { ...d, namespace: team.namespace };
}

export async function findRelease(db: Database, devboxId: string, tag: string): Promise<Release | undefined> {
  return (await db.select().from(releases).where(and(eq(releases.devboxId, devboxId), eq(releases.tag, tag))).limit(1))[0];
}

/**
 * Asks for a release: validates, picks the source (a running devbox is committed by the build;
 * a stopped one uses its latest snapshot; one that never ran has nothing to release), records
 * it pending — the unique (devbox, tag) index refuses a duplicate even from two tabs at once —
 * and starts the build. `done` settles when the release is ready or failed.
 */
export async function createRelease(db: Database, team: Team, actorId: string, devboxName: string, body: CreateReleaseBody): Promise<{ release: Release; done: Promise<Release> }> {
  const d = await load(db, team, devboxName);
  if (await findRelease(db, d.id, body.tag)) throw new AppError("conflict", `This devbox already has a release tagged "${body.tag}". Tags are immutable: choose another.`, { field: "tag" });
  let snapshotId: string | null = null;
  let sourceImage: string | null = null;
  if (!runningPodOf(d)) {
    if (d.desiredState === "running") throw new AppError("conflict", "The devbox is starting or stopping: release it once it is running or stopped.");
    const [latest] = await listSnapshots(db, d.id);
    if (!latest) throw new AppError("conflict", "This devbox has never run: there are no changes to release. Start it, set up the app, then release.");
    snapshotId = latest.id;
    sourceImage = latest.image;
  }
  // The release and its audit event commit together: a retry answers "already has a release tagged".
  const row = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(releases)
      .values({
        id: newId(),
        devboxId: d.id,
        teamId: team.id,
        tag: body.tag,
        notes: body.notes,
        phase: snapshotId ? "merge" : "commit",
        snapshotId,
        sourceImage,
        entrypoint: body.entrypoint ?? [DEFAULT_ENTRYPOINT],
        cmd: body.cmd,
        workingDir: body.workingDir ?? d.workingDir,
        env: body.env,
        ports: (body.ports ?? d.ports).map((p, i) => ({ port: p.port, name: p.name ?? `p${i}` })),
        createdBy: actorId,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new AppError("conflict", `This devbox already has a release tagged "${body.tag}". Tags are immutable: choose another.`, { field: "tag" });
    await recordAudit(tx, { actorId, teamId: team.id, action: "release.create", target: `${devboxName}:${body.tag}`, details: { release: row.id, snapshot: snapshotId } });
    return row;
  });
  announceDevboxChange(d.id);
  const done = buildRelease(db, row.id);
  done.catch(() => {});
  return { release: row, done };
}

export interface ReleaseRow {
  release: Release;
  createdByEmail: string | null;
  apps: string[];
}

/** The history, newest first, with who made each release and which apps run it. */
export async function listReleases(db: Database, devboxId: string): Promise<ReleaseRow[]> {
  const rows = await db
    .select({ release: releases, createdByEmail: users.email })
    .from(releases)
    .leftJoin(users, eq(users.id, releases.createdBy))
    .where(eq(releases.devboxId, devboxId))
    .orderBy(desc(releases.createdAt));
  const running = rows.length
    ? await db.select({ name: apps.name, releaseId: apps.releaseId }).from(apps).where(inArray(apps.releaseId, rows.map((r) => r.release.id)))
    : [];
  return rows.map((r) => ({ ...r, apps: running.filter((a) => a.releaseId === r.release.id).map((a) => a.name) }));
}

/**
 * Deletes a release: refused while an app runs it (the apps table's foreign key says the same
 * inside the transaction, so a deploy racing the delete cannot win both). The record goes first,
 * then the manifest: a crash between leaves an unreferenced manifest, never a record of a missing image.
 */
export async function deleteRelease(db: Database, team: Team, actorId: string, devboxName: string, tag: string): Promise<void> {
  const d = await load(db, team, devboxName);
  const r = await findRelease(db, d.id, tag);
  if (!r) throw notFound("Release");
  if (r.status === "pending") throw new AppError("conflict", "This release is still being made; delete it once it is ready or failed.");
  const running = await db.select({ name: apps.name }).from(apps).where(eq(apps.releaseId, r.id));
  if (running.length) throw new AppError("conflict", `The app${running.length > 1 ? "s" : ""} ${running.map((a) => `"${a.name}"`).join(", ")} run${running.length > 1 ? "" : "s"} this release: update or delete ${running.length > 1 ? "them" : "it"} first.`);
  try {
    await db.transaction(async (tx) => {
      await tx.delete(releases).where(eq(releases.id, r.id));
      // With the row: a retry finds no release and could not log its deletion any more.
      await recordAudit(tx, { actorId, teamId: team.id, action: "release.delete", target: `${devboxName}:${tag}`, details: { release: r.id, digest: r.digest } });
      // The source snapshot stays pinned while another release ships it.
      if (r.snapshotId) {
        const others = await tx.select({ id: releases.id }).from(releases).where(eq(releases.snapshotId, r.snapshotId)).limit(1);
        if (others.length === 0) await tx.update(snapshots).set({ pinned: false }).where(eq(snapshots.id, r.snapshotId));
      }
    });
  } catch (err) {
    if (/foreign key|violates/i.test(String((err as { message?: string })?.message ?? err)))
      throw new AppError("conflict", "An app was just deployed from this release: update or delete it first.");
    throw err;
  }
  if (r.digest) await deleteManifest(releaseRepository(team.namespace, d.name), r.digest).catch((err) => console.error(`[devbox] deleting release image ${r.image} failed:`, err instanceof Error ? err.message : err));
  announceDevboxChange(d.id);
}

/**
 * A new devbox starting from a release: the release image copied into the new devbox's repository
 * with the devbox entrypoint back (tini, sleep), so it runs as a devbox, not as the app.
 */
export async function forkFromRelease(db: Database, team: Team, actorId: string, devboxName: string, tag: string, newName: string): Promise<Devbox> {
  const d = await load(db, team, devboxName);
  const r = await findRelease(db, d.id, tag);
  if (!r) throw notFound("Release");
  if (r.status !== "ready" || !r.image) throw new AppError("conflict", "Only a ready release can be started as a devbox.");
  const forkName = validateDevboxName(newName);
  if (await findDevbox(db, team.id, forkName)) throw new AppError("conflict", `A devbox named "${forkName}" already exists in this team.`, { field: "name" });
  const requestId = `fork-release-${r.id}-${newId()}`;
  const repository = repositoryOf({ namespace: team.namespace, name: forkName });
  const tag2 = tagFor(requestId);
  let made;
  try {
    await beginPush(db, requestId);
    try {
      const src = parseImageRef(r.image);
      await copyImage(`${src.host}/${src.repository}@${r.digest}`, repository, `${tag2}-src`);
      made = await rewriteConfig(repository, `${tag2}-src`, tag2, devboxImageConfig);
      const tmp = await getManifest(repository, `${tag2}-src`);
      if (tmp && tmp.digest !== made.digest) await deleteManifest(repository, tmp.digest);
    } finally {
      await endPush(db, requestId);
    }
  } catch (err) {
    if (err instanceof RegistryError) throw new AppError(err.status === 404 ? "conflict" : "unavailable", err.message, { cause: err });
    if (err instanceof RegistryBusyError) throw new AppError("unavailable", err.message, { cause: err });
    throw err;
  }
  const image = `${parseImageRef(r.image).host}/${repository}:${tag2}`;
  const [src] = r.snapshotId ? await db.select().from(snapshots).where(eq(snapshots.id, r.snapshotId)) : [];
  const copied = made;
  // The fork and the record of the image it starts from commit together (see forkFromSnapshot).
  const fork = await createDevbox(db, team, actorId, { name: forkName, templateId: d.templateId, cpuMillis: d.cpuMillis, memoryMiB: d.memoryMiB, diskMiB: d.diskMiB, env: d.env, ports: d.ports, image }, async (tx, row) => {
    crashPoint("fork:before-record");
    await tx.insert(snapshots).values({
      id: newId(),
      devboxId: row.id,
      teamId: team.id,
      image,
      digest: copied.digest,
      parentDigest: r.digest,
      parentImage: r.image,
      layerCount: copied.layerCount,
      ownLayerCount: Math.min(1, src?.ownLayerCount ?? 1),
      trigger: "fork",
      actorId,
      requestId,
    });
    await recordAudit(tx, { actorId, teamId: team.id, action: "devbox.fork-release", target: forkName, details: { from: devboxName, release: tag } });
  });
  return fork;
}
