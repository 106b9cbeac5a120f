import { and, asc, eq, lt } from "drizzle-orm";
import type { Database } from "@/db/client";
import { devboxes } from "@/db/schema/devboxes";
import { releases, type Release } from "@/db/schema/releases";
import { snapshots, type Snapshot } from "@/db/schema/snapshots";
import { teams } from "@/db/schema/teams";
import { announceDevboxChange } from "@/lib/devboxes/change-bus";
import { crashPoint } from "@/lib/faults/crash-point";
import { agentMerge } from "@/lib/snapshots/agent-client";
import { snapshotFailureReason } from "@/lib/snapshots/failure-reason";
import { copyImage, deleteManifest } from "@/lib/snapshots/registry";
import { beginPush, endPush } from "@/lib/snapshots/registry-holds";
import { runningPodOf } from "@/lib/snapshots/requests";
import { commitPod, findSnapshotByRequest, withDevboxLock, type DevboxWithNamespace } from "@/lib/snapshots/service";
import { anyAgentNodeIP, releaseIdOf, releaseImageConfig, rewriteConfig, type ReleaseConfig } from "./image";

/**
 * Builds a pending release, step by step, each step idempotent so a crash anywhere converges:
 *   1. commit — a running devbox is committed (frozen, it keeps running) under request id
 *      `release-<id>`; a retry finds the recorded snapshot or the agent's finished job. A stopped
 *      devbox's latest snapshot was chosen when the release was asked for.
 *   2. merge — the snapshot's own layers merged into one (agent, `release-merge-<id>`), or with one
 *      own layer a copy (blob mounts) into the release repository under `build-<id>`.
 *   3. push — config rewritten (entrypoint, env, ports…) and the manifest written under the tag;
 *      the intermediate manifest deleted.
 * Only then one conditional UPDATE makes it `ready`. A registry push hold covers 2–3 (no GC sweep
 * between blob mounts and the manifest). A failure marks it `failed` with the reason.
 */

/** `<team-namespace>/<devbox>/releases`: its own repository, so deleting the devbox's snapshots never reaches it. */
export const releaseRepository = (namespace: string, devbox: string) => `${namespace}/${devbox}/releases`;
const buildTag = (id: string) => `build-${id}`;
const HEARTBEAT_MS = 10_000;
/** A pending release nobody moved for this long was left by a crashed process. */
export const STALE_MS = Math.max(1000, Number(process.env.DEVBOX_RELEASE_STALE_MS ?? 45_000));

const jobsKey = Symbol.for("devbox.releaseJobs");
type G = typeof globalThis & { [jobsKey]?: Map<string, Promise<Release>> };
const jobs = () => ((globalThis as G)[jobsKey] ??= new Map());

/** Builds the release, or joins the build already running in this process. */
export function buildRelease(db: Database, releaseId: string): Promise<Release> {
  const running = jobs().get(releaseId);
  if (running) return running;
  const job = run(db, releaseId).finally(() => jobs().delete(releaseId));
  jobs().set(releaseId, job);
  return job;
}

async function loadDevbox(db: Database, devboxId: string): Promise<DevboxWithNamespace | undefined> {
  const [row] = await db.select({ d: devboxes, namespace: teams.namespace }).from(devboxes).innerJoin(teams, eq(teams.id, devboxes.teamId)).where(eq(devboxes.id, devboxId));
  return row ? { ...row.d, namespace: row.namespace } : undefined;
}

const setPhase = (db: Database, id: string, phase: string) =>
  db.update(releases).set({ phase, heartbeatAt: new Date() }).where(and(eq(releases.id, id), eq(releases.status, "pending")));

async function run(db: Database, releaseId: string): Promise<Release> {
  const [r] = await db.select().from(releases).where(eq(releases.id, releaseId));
  if (!r) throw new Error(`release ${releaseId} not found`);
  if (r.status !== "pending") return r;
  const beat = setInterval(() => void db.update(releases).set({ heartbeatAt: new Date() }).where(eq(releases.id, releaseId)).catch(() => {}), HEARTBEAT_MS);
  try {
    const d = await loadDevbox(db, r.devboxId);
    if (!d) return await fail(db, r, "The devbox was deleted before the release was made.");
    const snap = await sourceSnapshot(db, d, r);
    if (typeof snap === "string") return await fail(db, r, snap);
    crashPoint("release:after-commit");
    const made = await makeImage(db, d, r, snap);
    crashPoint("release:after-push");
    const [ready] = await db
      .update(releases)
      .set({ status: "ready", phase: null, image: made.image, digest: made.digest, sizeBytes: made.size, finishedAt: new Date() })
      .where(and(eq(releases.id, r.id), eq(releases.status, "pending")))
      .returning();
    announceDevboxChange(d.id);
    return ready ?? (await db.select().from(releases).where(eq(releases.id, r.id)))[0];
  } catch (err) {
    return await fail(db, r, snapshotFailureReason(err, `release ${r.tag}`));
  } finally {
    clearInterval(beat);
  }
}

async function fail(db: Database, r: Release, reason: string): Promise<Release> {
  const [row] = await db
    .update(releases)
    .set({ status: "failed", failureReason: reason, finishedAt: new Date() })
    .where(and(eq(releases.id, r.id), eq(releases.status, "pending")))
    .returning();
  announceDevboxChange(r.devboxId);
  return row ?? (await db.select().from(releases).where(eq(releases.id, r.id)))[0];
}

/** Step 1: the snapshot the release is made from (committed now for a running devbox), pinned so purge keeps it. */
async function sourceSnapshot(db: Database, d: DevboxWithNamespace, r: Release): Promise<Snapshot | string> {
  let snap: Snapshot | undefined;
  if (r.snapshotId) snap = (await db.select().from(snapshots).where(eq(snapshots.id, r.snapshotId)))[0];
  else {
    const requestId = `release-${r.id}`;
    snap = await findSnapshotByRequest(db, requestId);
    if (!snap) {
      const pod = runningPodOf(d);
      if (!pod) return "The devbox stopped before its changes were committed for this release. Release it again (its latest snapshot is used when it is stopped).";
      await setPhase(db, r.id, "commit");
      snap = await withDevboxLock(d.id, () => commitPod(db, d, pod, { trigger: "commit", actorId: r.createdBy, requestId }));
    }
  }
  if (!snap) return "The snapshot this release was to be made from no longer exists.";
  await db.update(snapshots).set({ pinned: true }).where(eq(snapshots.id, snap.id));
  await db.update(releases).set({ snapshotId: snap.id, sourceImage: snap.image, heartbeatAt: new Date() }).where(eq(releases.id, r.id));
  return snap;
}

/** Steps 2–3, under a push hold. */
async function makeImage(db: Database, d: DevboxWithNamespace, r: Release, snap: Snapshot): Promise<{ image: string; digest: string; size: number }> {
  const repository = releaseRepository(d.namespace, d.name);
  const host = snap.image.slice(0, snap.image.indexOf("/"));
  const image = `${host}/${repository}:${r.tag}`;
  // A resumed build whose manifest was written before the crash.
  const done = await releaseIdOf(repository, r.tag);
  if (done?.releaseId === r.id) return { image, digest: done.digest, size: done.size };
  const hold = `release-${r.id}`;
  await beginPush(db, hold);
  try {
    const made = await flattenImage({
      source: snap.image,
      ownLayers: snap.ownLayerCount,
      repository,
      tag: r.tag,
      buildTag: buildTag(r.id),
      requestId: `release-merge-${r.id}`,
      nodeIP: () => runningPodOfIP(d) ?? anyAgentNodeIP(),
      config: { releaseId: r.id, tag: r.tag, devbox: d.name, entrypoint: r.entrypoint, cmd: r.cmd, workingDir: r.workingDir, env: r.env, ports: r.ports },
      onPhase: (phase) => setPhase(db, r.id, phase).then(() => {}),
    });
    return { image, digest: made.digest, size: made.size };
  } finally {
    await endPush(db, hold).catch(() => {});
  }
}

export interface FlattenRequest {
  source: string;
  ownLayers: number;
  repository: string;
  tag: string;
  buildTag: string;
  requestId: string;
  nodeIP: () => string | Promise<string>;
  config: ReleaseConfig;
  onPhase?: (phase: "merge" | "push") => Promise<void>;
}

/**
 * The release image from a snapshot image, without the DB (the benchmark times exactly this):
 * own layers merged into one by the agent (or, already one, the image copied by blob mounts)
 * under `buildTag`, then the config rewritten and the manifest written under `tag`; the
 * intermediate manifest is deleted.
 */
export async function flattenImage(req: FlattenRequest): Promise<{ digest: string; size: number; layerCount: number }> {
  await req.onPhase?.("merge");
  if (req.ownLayers >= 2) {
    await agentMerge(await req.nodeIP(), { image: req.source, ownLayers: req.ownLayers, targetRepository: req.repository, targetTag: req.buildTag, requestId: req.requestId });
  } else {
    await copyImage(req.source, req.repository, req.buildTag);
  }
  crashPoint("release:after-merge");
  await req.onPhase?.("push");
  const made = await rewriteConfig(req.repository, req.buildTag, req.tag, (c) => releaseImageConfig(c, req.config));
  const tmp = await releaseIdOf(req.repository, req.buildTag).catch(() => undefined);
  if (tmp && tmp.digest !== made.digest) await deleteManifest(req.repository, tmp.digest).catch(() => {});
  return made;
}

function runningPodOfIP(d: DevboxWithNamespace): string | undefined {
  return runningPodOf(d)?.status?.hostIP;
}

/**
 * For the reconciler's leader: resumes pending releases nobody is building (their process
 * crashed: the heartbeat is stale). Each resumes to ready, or fails with a reason.
 */
export async function resumeStaleReleases(db: Database): Promise<void> {
  const staleSince = () => and(eq(releases.status, "pending"), lt(releases.heartbeatAt, new Date(Date.now() - STALE_MS)));
  const stale = await db.select({ id: releases.id }).from(releases).where(staleSince()).orderBy(asc(releases.createdAt)).limit(5);
  for (const { id } of stale) {
    if (jobs().has(id)) continue;
    // Claimed by one conditional UPDATE: a process that moved the heartbeat meanwhile (its builder,
    // or the leader before a Lease hand-over) keeps it, so one process builds it.
    const [claimed] = await db.update(releases).set({ heartbeatAt: new Date() }).where(and(eq(releases.id, id), staleSince())).returning({ id: releases.id });
    if (!claimed) continue;
    void buildRelease(db, id).catch((err) => console.error(`[devbox] resuming release ${id} failed:`, err instanceof Error ? err.message : err));
  }
}
