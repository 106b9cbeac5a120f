import type { V1Pod } from "@kubernetes/client-node";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database, Tx } from "@/db/client";
import { devboxOperations } from "@/db/schema/devbox-operations";
import { devboxes, type Devbox } from "@/db/schema/devboxes";
import { snapshots, type Snapshot } from "@/db/schema/snapshots";
import type { Team } from "@/db/schema/teams";
import { recordAudit } from "@/lib/audit/record";
import { announceDevboxChange } from "@/lib/devboxes/change-bus";
import { CONTAINER_NAME, GENERATION_LABEL } from "@/lib/devboxes/k8s-objects";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox, startDevboxFrom, stopDevbox } from "@/lib/devboxes/service";
import { validateDevboxName } from "@/lib/devboxes/spec-input";
import { AppError, notFound } from "@/lib/errors";
import { crashPoint } from "@/lib/faults/crash-point";
import { newId } from "@/lib/ids";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { AgentError } from "./agent-client";
import { copyImage, getManifest, parseImageRef, RegistryError } from "./registry";
import { assertSnapshotQuota } from "./quota";
import { beginPush, endPush, RegistryBusyError } from "./registry-holds";
import { commitPod, findSnapshot, repositoryOf, tagFor, withDevboxLock } from "./service";

/**
 * User requests about snapshots, each authorized by the caller (requireDevboxRole, developer+)
 * before it gets here: commit now, force a stuck stop, start from a snapshot, fork one.
 */

async function load(db: Database, team: Team, name: string): Promise<Devbox & { namespace: string }> {
  const d = await findDevbox(db, team.id, name);
  if (!d || d.desiredState === "deleted") throw notFound("Devbox");
  return { ...d, namespace: team.namespace };
}

/** The Pod of the devbox's current generation, when it is asked to run and its container runs. */
export function runningPodOf(d: Devbox): V1Pod | undefined {
  if (d.desiredState !== "running") return undefined;
  const pod = devboxPodCache()
    .podsOf(d.id)
    .find((p) => p.metadata?.labels?.[GENERATION_LABEL] === String(d.podGeneration) && !p.metadata?.deletionTimestamp);
  return pod?.status?.containerStatuses?.find((c) => c.name === CONTAINER_NAME)?.state?.running ? pod : undefined;
}

/** Commit the running container now (the Commit button). Waits for the registry; returns the record. */
export async function commitDevbox(db: Database, team: Team, actorId: string, name: string): Promise<Snapshot> {
  const d = await load(db, team, name);
  // Only here, at the user's Commit: the stop/restart/update snapshot is never refused (quota.ts).
  await assertSnapshotQuota(db, team.id);
  const pod = runningPodOf(d);
  if (!pod) throw new AppError("conflict", "Only a running devbox can be committed. Stopping a devbox saves its changes anyway.");
  try {
    // The event commits with the snapshot's record: a crash between them would leave a snapshot
    // nobody is shown to have made (the user's retry is a new commit, with a new request id).
    const onRecord = (tx: Tx, snap: Snapshot) => recordAudit(tx, { actorId, teamId: team.id, action: "devbox.commit", target: name, details: { image: snap.image, bytes: snap.bytesAdded } });
    return await withDevboxLock(d.id, () => commitPod(db, d, pod, { trigger: "commit", actorId, requestId: `commit-${newId()}`, onRecord }));
  } catch (err) {
    if (err instanceof AgentError || err instanceof RegistryError) throw new AppError("unavailable", err.message, { cause: err });
    throw err;
  }
}

/**
 * Stop without saving: for a stop stuck on a failing commit, after the user confirmed that the
 * changes since the last snapshot are lost. Marks the pending stop so the hook skips the commit.
 */
export async function forceStopDevbox(db: Database, team: Team, actorId: string, name: string): Promise<void> {
  let d = await load(db, team, name);
  if (d.desiredState === "running") d = { ...(await stopDevbox(db, team, actorId, name)), namespace: team.namespace };
  // The discard and its event commit together: once the stop ends without its commit nobody
  // retries, and the changes it threw away would be lost with no trace in the log.
  await db.transaction(async (tx) => {
    await tx
      .update(devboxOperations)
      .set({ details: sql`${devboxOperations.details} || '{"discardChanges": true}'::jsonb` })
      .where(and(eq(devboxOperations.devboxId, d.id), eq(devboxOperations.status, "pending"), inArray(devboxOperations.kind, ["stop", "restart", "update"])));
    await tx.update(devboxes).set({ lastError: null }).where(eq(devboxes.id, d.id));
    await recordAudit(tx, { actorId, teamId: team.id, action: "devbox.force-stop", target: name, details: { discardedChanges: true } });
  });
  announceDevboxChange(d.id);
}

/** Start a stopped devbox from an earlier snapshot (later snapshots stay in the history). */
export async function startFromSnapshot(db: Database, team: Team, actorId: string, name: string, snapshotId: string): Promise<Devbox> {
  const d = await load(db, team, name);
  const snap = await findSnapshot(db, d.id, snapshotId);
  if (!snap) throw notFound("Snapshot");
  if (d.desiredState !== "stopped" || devboxPodCache().podsOf(d.id).length > 0)
    throw new AppError("conflict", "Stop the devbox first: starting from a snapshot replaces what it runs now (stopping saves it as a snapshot).");
  const ref = parseImageRef(snap.image);
  if (!(await getManifest(ref.repository, ref.reference))) throw new AppError("conflict", "This snapshot is no longer in the registry.");
  return startDevboxFrom(db, team, actorId, name, snap.image, { fromSnapshot: snap.id, image: snap.image });
}

/**
 * A new devbox starting from a snapshot: the image is copied into the new devbox's repository
 * first (blobs mounted, nothing re-uploaded), so purging the source's history cannot break it.
 */
export async function forkFromSnapshot(db: Database, team: Team, actorId: string, name: string, snapshotId: string, newName: string): Promise<Devbox> {
  const d = await load(db, team, name);
  const snap = await findSnapshot(db, d.id, snapshotId);
  if (!snap) throw notFound("Snapshot");
  const forkName = validateDevboxName(newName);
  if (await findDevbox(db, team.id, forkName)) throw new AppError("conflict", `A devbox named "${forkName}" already exists in this team.`, { field: "name" });
  const requestId = `fork-${snap.id}-${newId()}`;
  let copy;
  try {
    // A tagged manifest keeps its blobs through a GC; until it is written, the hold does.
    await beginPush(db, requestId);
    copy = await copyImage(snap.image, repositoryOf({ namespace: team.namespace, name: forkName }), tagFor(requestId)).finally(() => endPush(db, requestId));
  } catch (err) {
    if (err instanceof RegistryError) throw new AppError(err.status === 404 ? "conflict" : "unavailable", err.message, { cause: err });
    if (err instanceof RegistryBusyError) throw new AppError("unavailable", err.message, { cause: err });
    throw err;
  }
  // The fork and the record of the snapshot it starts from (its own layers, which the next commits
  // and merges count on) commit together: a crash leaves neither, and the retry makes both.
  const fork = await createDevbox(
    db,
    team,
    actorId,
    { name: forkName, templateId: d.templateId, cpuMillis: d.cpuMillis, memoryMiB: d.memoryMiB, diskMiB: d.diskMiB, env: d.env, ports: d.ports, image: copy.image },
    async (tx, row) => {
      crashPoint("fork:before-record");
      await tx.insert(snapshots).values({
        id: newId(),
        devboxId: row.id,
        teamId: team.id,
        image: copy.image,
        digest: copy.digest,
        parentDigest: snap.digest,
        parentImage: snap.image,
        layerCount: snap.layerCount,
        ownLayerCount: snap.ownLayerCount,
        trigger: "fork",
        actorId,
        requestId,
      });
      await recordAudit(tx, { actorId, teamId: team.id, action: "devbox.fork", target: forkName, details: { from: name, snapshot: snap.id } });
    },
  );
  return fork;
}

