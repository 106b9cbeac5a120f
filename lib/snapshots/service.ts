import { createHash } from "node:crypto";
import type { V1Pod } from "@kubernetes/client-node";
import { and, desc, eq, inArray, lt, ne, or } from "drizzle-orm";
import type { Database, Tx } from "@/db/client";
import { devboxOperations } from "@/db/schema/devbox-operations";
import { devboxes, type Devbox } from "@/db/schema/devboxes";
import { snapshots, type Snapshot, type SnapshotTrigger } from "@/db/schema/snapshots";
import { users } from "@/db/schema/users";
import { announceDevboxChange } from "@/lib/devboxes/change-bus";
import { CONTAINER_NAME } from "@/lib/devboxes/k8s-objects";
import { setLastError } from "@/lib/devboxes/queries";
import { crashPoint } from "@/lib/faults/crash-point";
import { newId } from "@/lib/ids";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { agentCommit, agentMerge, AgentError, type AgentProgress } from "./agent-client";
import { snapshotFailureReason } from "./failure-reason";
import { clearCommitProgress, reportCommitProgress } from "./progress";
import { deleteManifest, deleteRepository, parseImageRef } from "./registry";
import { markGcNeeded } from "./registry-gc";
import { beginPush, endPush } from "./registry-holds";

export type DevboxWithNamespace = Devbox & { namespace: string };

/** Own layers (on top of the template's) before they are merged into one. */
export const maxOwnLayers = () => Math.max(1, Number(process.env.DEVBOX_MAX_SNAPSHOT_LAYERS ?? 8));
/** Snapshots kept per devbox (plus pinned ones and the one it starts from). */
export const keepSnapshots = () => Math.max(1, Number(process.env.DEVBOX_KEEP_SNAPSHOTS ?? 5));

/** Each devbox has its own repository: `<team-namespace>/<devbox-name>`. */
export const repositoryOf = (d: Pick<DevboxWithNamespace, "namespace" | "name">) => `${d.namespace}/${d.name}`;
/** Tags derive from the request id, so a retried request writes (and finds) the same tag. */
export const tagFor = (requestId: string) => `s-${createHash("sha256").update(requestId).digest("hex").slice(0, 20)}`;
/** The commit that must happen before this Pod goes away: one per Pod, whoever retries it. */
export const removalRequestId = (devboxId: string, podUid: string) => `final-${devboxId}-${podUid}`;

/** containerd's ID of the devbox container, once it was created. */
export function containerIdOf(pod: V1Pod): string | undefined {
  const cs = pod.status?.containerStatuses?.find((c) => c.name === CONTAINER_NAME);
  return cs?.containerID?.replace(/^containerd:\/\//, "") || undefined;
}

const lockKey = Symbol.for("devbox.snapshotLocks");
type G = typeof globalThis & { [lockKey]?: Map<string, Promise<unknown>> };
/** One snapshot job per devbox at a time in this process (the agent serializes per container too). */
export async function withDevboxLock<T>(devboxId: string, work: () => Promise<T>): Promise<T> {
  const locks = ((globalThis as G)[lockKey] ??= new Map());
  const prev = locks.get(devboxId) ?? Promise.resolve();
  const next = prev.catch(() => {}).then(work);
  locks.set(devboxId, next);
  try {
    return await next;
  } finally {
    if (locks.get(devboxId) === next) locks.delete(devboxId);
  }
}

export const findSnapshotByRequest = async (db: Pick<Database, "select">, requestId: string): Promise<Snapshot | undefined> =>
  (await db.select().from(snapshots).where(eq(snapshots.requestId, requestId)).limit(1))[0];

export const listSnapshots = (db: Database, devboxId: string): Promise<Snapshot[]> =>
  db.select().from(snapshots).where(eq(snapshots.devboxId, devboxId)).orderBy(desc(snapshots.createdAt));

export async function findSnapshot(db: Database, devboxId: string, snapshotId: string): Promise<Snapshot | undefined> {
  return (await db.select().from(snapshots).where(and(eq(snapshots.devboxId, devboxId), eq(snapshots.id, snapshotId))).limit(1))[0];
}

/** Own layers of an image: from its snapshot record; a template image has none. */
async function ownLayersOf(db: Database, devboxId: string, image: string): Promise<number> {
  const [row] = await db
    .select({ own: snapshots.ownLayerCount })
    .from(snapshots)
    .where(and(eq(snapshots.devboxId, devboxId), eq(snapshots.image, image)))
    .orderBy(desc(snapshots.createdAt))
    .limit(1);
  return row?.own ?? 0;
}

export interface CommitOptions {
  trigger: SnapshotTrigger;
  actorId: string | null;
  requestId: string;
  /**
   * Stop the container's processes first (SIGTERM, this long, then SIGKILL) and commit the exited
   * container, so what they write while shutting down is kept: the stop/restart/update path.
   * Without it the container is frozen for a crash-consistent snapshot and keeps running.
   */
  graceSeconds?: number;
  /**
   * Writes more in the transaction that records the snapshot (the Commit button's audit event),
   * once: a retry that finds the record does not call it again.
   */
  onRecord?: (tx: Tx, snap: Snapshot) => Promise<void>;
}

/**
 * Commits the devbox container of `pod` through the agent on its node, records the snapshot once
 * the registry has it and makes it the image the next Pod starts from — one transaction, so a
 * crash cannot leave one without the other. Idempotent by requestId: a retry (after a crash, on
 * another replica) finds the record, or the agent's finished job, and converges to the same end
 * state, merge and purge included. Throws on failure, with the reason stored for the UI; nothing
 * is deleted then.
 */
export async function commitPod(db: Database, d: DevboxWithNamespace, pod: V1Pod, opts: CommitOptions): Promise<Snapshot> {
  const nodeIP = pod.status?.hostIP;
  const startedAt = Date.now();
  try {
    let snap = await findSnapshotByRequest(db, opts.requestId);
    if (snap) await adoptSnapshot(db, d.id, snap);
    else snap = await pushAndRecord(db, d, pod, opts, startedAt);
    clearCommitProgress(d.id);
    const latest = snap.ownLayerCount > maxOwnLayers() && nodeIP ? await mergeSnapshot(db, d, snap, nodeIP).catch((err) => {
      // The commit is safe; a failed merge only means more layers until the next one.
      console.error(`[devbox] merging ${d.namespace}/${d.name} failed:`, err instanceof Error ? err.message : err);
      return snap;
    }) : snap;
    await purgeSnapshots(db, d).catch((err) => console.error(`[devbox] purging ${d.namespace}/${d.name} failed:`, err instanceof Error ? err.message : err));
    announceDevboxChange(d.id);
    return latest;
  } catch (err) {
    const message = `Saving the devbox's changes failed: ${snapshotFailureReason(err, `${d.namespace}/${d.name}`)}`;
    reportCommitProgress(d.id, { phase: "error", bytes: 0, startedAt, trigger: opts.trigger, error: message });
    // A Pod waiting to be removed shows why it waits. A running devbox whose Commit or periodic
    // snapshot failed is not in error: it keeps running, the caller gets the error, the page the
    // commit's progress.
    if (!keepsRunning(opts.trigger)) await setLastError(db, d.id, message).catch(() => {});
    announceDevboxChange(d.id);
    throw err instanceof AgentError ? new AgentError(message, { cause: err, unreachable: err.unreachable, detail: err.detail }) : err;
  }
}

const keepsRunning = (trigger: SnapshotTrigger) => trigger === "commit" || trigger === "periodic";

/** The agent commits and pushes; then the record and the image switch commit together. */
async function pushAndRecord(db: Database, d: DevboxWithNamespace, pod: V1Pod, opts: CommitOptions, startedAt: number): Promise<Snapshot> {
  const nodeIP = pod.status?.hostIP;
  const containerId = containerIdOf(pod);
  if (!nodeIP || !containerId) throw new AgentError("The devbox container has not been created yet: nothing to commit.");
  const parentImage = pod.spec?.containers.find((c) => c.name === CONTAINER_NAME)?.image ?? d.image;
  const progress = (p: AgentProgress) => reportCommitProgress(d.id, { phase: p.phase, bytes: p.bytes, startedAt, trigger: opts.trigger });
  progress({ phase: opts.graceSeconds ? "stopping processes" : "starting", bytes: 0 });
  await beginPush(db, opts.requestId);
  const result = await agentCommit(
    nodeIP,
    {
      containerId,
      parentImage,
      targetRepository: repositoryOf(d),
      targetTag: tagFor(opts.requestId),
      trigger: opts.trigger,
      requestId: opts.requestId,
      ...(opts.graceSeconds ? { stop: { graceSeconds: opts.graceSeconds } } : {}),
    },
    progress,
  ).catch(async (err) => {
    await endPush(db, opts.requestId).catch(() => {});
    throw err;
  });
  crashPoint("commit:after-agent");
  const parentOwn = await ownLayersOf(db, d.id, parentImage);
  return recordSnapshotOnce(db, d, result, {
    parentDigest: result.parent ?? null,
    parentImage,
    ownLayerCount: result.unchanged ? parentOwn : parentOwn + 1,
    trigger: opts.trigger,
    actorId: opts.actorId,
    // A replayed job reports the original duration; ours includes the wait.
    durationMs: result.reused ? result.durationMs : Date.now() - startedAt,
    podUid: pod.metadata?.uid ?? null,
    requestId: opts.requestId,
  }, "commit", opts.onRecord);
}

type SnapshotFacts = Pick<
  typeof snapshots.$inferInsert,
  "parentDigest" | "parentImage" | "ownLayerCount" | "trigger" | "actorId" | "durationMs" | "podUid" | "requestId"
>;

/**
 * Records what the agent pushed and makes it the devbox's image, in one transaction, once per
 * request id: a retry (crash, other replica) that finds the row returns it instead of inserting
 * a twin. The push hold is released in the same transaction.
 */
export async function recordSnapshotOnce(
  db: Database,
  d: DevboxWithNamespace,
  pushed: { image: string; digest: string; layerDigest?: string; layerSize?: number; layerCount: number },
  facts: SnapshotFacts & { requestId: string },
  step: "commit" | "merge",
  onRecord?: CommitOptions["onRecord"],
): Promise<Snapshot> {
  const snap = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(snapshots)
      .values({
        id: newId(),
        devboxId: d.id,
        teamId: d.teamId,
        image: pushed.image,
        digest: pushed.digest,
        layerDigest: pushed.layerDigest ?? null,
        bytesAdded: pushed.layerSize ?? 0,
        layerCount: pushed.layerCount,
        ...facts,
      })
      .onConflictDoNothing()
      .returning();
    const snap = row ?? (await findSnapshotByRequest(tx, facts.requestId))!;
    if (step === "commit") crashPoint("commit:in-record");
    if (row && onRecord) await onRecord(tx, snap);
    if (step === "commit") await adoptSnapshot(tx, d.id, snap);
    else await adoptMerge(tx, d.id, snap);
    await endPush(tx, facts.requestId);
    return snap;
  });
  crashPoint(step === "commit" ? "commit:after-record" : "merge:after-record");
  return snap;
}

/**
 * Makes a commit the image the next Pod starts from, unless something newer already is: the
 * switch happens only from the image the commit was built on, or from an older snapshot (or
 * merge) of the same Pod — every commit of a Pod is built on the Pod's image and holds all its
 * changes so far. So a retry never steps back over a later commit or merge, and a commit from
 * another line of history (the user started from an older snapshot meanwhile) never takes over.
 */
export async function adoptSnapshot(db: Pick<Database, "update" | "select">, devboxId: string, snap: Snapshot): Promise<void> {
  const olderOfThisPod = db
    .select({ image: snapshots.image })
    .from(snapshots)
    .where(and(eq(snapshots.devboxId, devboxId), eq(snapshots.podUid, snap.podUid ?? ""), lt(snapshots.createdAt, snap.createdAt)));
  await db
    .update(devboxes)
    .set({ image: snap.image, lastError: null })
    .where(
      and(
        eq(devboxes.id, devboxId),
        ne(devboxes.image, snap.image),
        or(snap.parentImage ? eq(devboxes.image, snap.parentImage) : undefined, inArray(devboxes.image, olderOfThisPod)),
      ),
    );
}

/** A merge replaces exactly the image it flattened: if a newer commit was adopted meanwhile, that one stays. */
async function adoptMerge(db: Pick<Database, "update">, devboxId: string, merged: Snapshot): Promise<void> {
  if (!merged.parentImage) return;
  await db.update(devboxes).set({ image: merged.image }).where(and(eq(devboxes.id, devboxId), eq(devboxes.image, merged.parentImage)));
}

/** Merges a snapshot's own layers into one (agent /v1/merges); the result is what the next Pod runs. */
export async function mergeSnapshot(db: Database, d: DevboxWithNamespace, snap: Snapshot, nodeIP: string): Promise<Snapshot> {
  const requestId = `merge-${snap.id}`;
  const done = await findSnapshotByRequest(db, requestId);
  if (done) {
    await adoptMerge(db, d.id, done);
    return done;
  }
  const startedAt = Date.now();
  reportCommitProgress(d.id, { phase: "merging", bytes: 0, startedAt, trigger: "merge" });
  try {
    await beginPush(db, requestId);
    const result = await agentMerge(
      nodeIP,
      { image: snap.image, ownLayers: snap.ownLayerCount, targetRepository: repositoryOf(d), targetTag: tagFor(requestId), requestId },
      (p) => reportCommitProgress(d.id, { phase: `merging: ${p.phase}`, bytes: p.bytes, startedAt, trigger: "merge" }),
    ).catch(async (err) => {
      await endPush(db, requestId).catch(() => {});
      throw err;
    });
    crashPoint("merge:after-agent");
    return await recordSnapshotOnce(db, d, result, {
      parentDigest: snap.digest,
      parentImage: snap.image,
      ownLayerCount: 1,
      trigger: "merge",
      actorId: snap.actorId,
      durationMs: Date.now() - startedAt,
      podUid: snap.podUid,
      requestId,
    }, "merge");
  } finally {
    clearCommitProgress(d.id);
  }
}

/**
 * Keeps the newest K snapshots, pinned ones, the one the devbox starts from and the images its
 * Pods run (a commit in flight builds on its Pod's image); deletes the others' manifests from the
 * registry, then their records. Blobs are reclaimed by the registry's garbage collection
 * (runRegistryGc). Two records can share a manifest (an unchanged commit points at its
 * parent's): a manifest is deleted only when no kept record uses it. A crash between the two
 * deletes leaves a record whose manifest is gone: the next purge deletes it (a missing manifest
 * is fine), and such a record is never one the devbox starts from.
 */
export async function purgeSnapshots(db: Database, d: DevboxWithNamespace, keep = keepSnapshots()): Promise<Snapshot[]> {
  const all = await listSnapshots(db, d.id);
  const [current] = await db.select({ image: devboxes.image }).from(devboxes).where(eq(devboxes.id, d.id));
  const running = new Set(devboxPodCache().podsOf(d.id).flatMap((p) => p.spec?.containers.map((c) => c.image) ?? []));
  const kept = all.filter((s, i) => i < keep || s.pinned || s.image === current?.image || running.has(s.image));
  const drop = all.filter((s) => !kept.includes(s));
  if (drop.length === 0) return [];
  const keptDigests = new Set(kept.map((s) => s.digest));
  // Other devboxes may start from an image in this repository (a fork that has not committed yet copies it, so this is defensive).
  const usedElsewhere = new Set(
    (await db.select({ image: devboxes.image }).from(devboxes).where(inArray(devboxes.image, drop.map((s) => s.image)))).map((r) => r.image),
  );
  const purged: Snapshot[] = [];
  if (drop.some((s) => !usedElsewhere.has(s.image))) await markGcNeeded(db);
  for (const s of drop) {
    if (usedElsewhere.has(s.image)) continue;
    if (!keptDigests.has(s.digest)) {
      const { repository } = parseImageRef(s.image);
      await deleteManifest(repository, s.digest);
      keptDigests.add(s.digest); // deleted once is enough
      crashPoint("purge:after-manifest-delete");
    }
    await db.delete(snapshots).where(eq(snapshots.id, s.id));
    purged.push(s);
  }
  if (purged.length > 0) await markGcNeeded(db);
  return purged;
}

/** A deleted devbox's images: every manifest of its repository, then the GC reclaims the blobs. */
export async function deleteSnapshotImages(db: Database, d: DevboxWithNamespace): Promise<void> {
  const digests = (await listSnapshots(db, d.id)).filter((s) => parseImageRef(s.image).repository === repositoryOf(d)).map((s) => s.digest);
  // Before (a crash after the deletes still leaves it) and after (see markGcNeeded).
  await markGcNeeded(db);
  let deleted = await deleteRepository(repositoryOf(d), digests);
  // its releases (lib/releases) live beside it and go with the devbox
  deleted += await deleteRepository(`${repositoryOf(d)}/releases`);
  if (deleted > 0) await markGcNeeded(db);
}

/** The pending stop/restart/update of a devbox: who asked, and whether they chose to discard changes. */
export async function pendingRemovalRequest(db: Database, devboxId: string) {
  const [op] = await db
    .select()
    .from(devboxOperations)
    .where(and(eq(devboxOperations.devboxId, devboxId), eq(devboxOperations.status, "pending"), inArray(devboxOperations.kind, ["stop", "restart", "update"])))
    .orderBy(desc(devboxOperations.requestedAt))
    .limit(1);
  return op;
}


/** The history with who made each snapshot. */
export async function listSnapshotsWithActors(db: Database, devboxId: string): Promise<{ snapshot: Snapshot; actorEmail: string | null }[]> {
  const rows = await db
    .select({ snapshot: snapshots, actorEmail: users.email })
    .from(snapshots)
    .leftJoin(users, eq(users.id, snapshots.actorId))
    .where(eq(snapshots.devboxId, devboxId))
    .orderBy(desc(snapshots.createdAt));
  return rows;
}
