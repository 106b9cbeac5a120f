import type { V1Pod } from "@kubernetes/client-node";
import { and, eq, gt, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { devboxOperations } from "@/db/schema/devbox-operations";
import { devboxes, type Devbox } from "@/db/schema/devboxes";
import { announceDevboxChange } from "@/lib/devboxes/change-bus";
import { CONTAINER_NAME } from "@/lib/devboxes/k8s-objects";
import { setLastError } from "@/lib/devboxes/queries";
import { newId } from "@/lib/ids";
import { containerIdOf } from "@/lib/snapshots/service";
import type { BeforePodRemoval } from "./pod-removal";

const MAX_RECOVERIES = 3;
const RECOVERY_WINDOW_MS = 10 * 60_000;

/** Set by `devbox-cluster down` on the Pods whose containers it stops (cluster/lib/lifecycle.sh). */
export const CLUSTER_STOPPED_ANNOTATION = "devbox.dev/cluster-stopped-at";

/** Why the container ended, in words a user reads after "Recovered after …". */
export function deathCause(pod: V1Pod): string {
  const cs = pod.status?.containerStatuses?.find((c) => c.name === CONTAINER_NAME);
  const t = cs?.state?.terminated ?? cs?.lastState?.terminated;
  const clusterStop = pod.metadata?.annotations?.[CLUSTER_STOPPED_ANNOTATION];
  if (clusterStop) {
    // ended while the operator's `down` ran (not long after: an aborted down leaves the annotation)
    const since = t?.finishedAt ? new Date(t.finishedAt).getTime() - new Date(clusterStop).getTime() : 0;
    if (since >= -5_000 && since <= 10 * 60_000) return "the cluster was stopped";
  }
  if (t?.reason === "OOMKilled") return "running out of memory";
  // "Unknown" (exit 255): containerd found the container's task gone with its shim, i.e. the
  // runtime and its containers died together (power loss, killed node). 255 without that reason is
  // the same story: the main process is ours (lib/devboxes/main-process.ts) and never exits 255.
  if (t?.reason === "ContainerStatusUnknown" || t?.reason === "Unknown" || t?.exitCode === 255 || ["NodeShutdown", "Terminated", "NodeLost"].includes(pod.status?.reason ?? "")) return "the node restarted";
  if (pod.status?.reason === "Evicted") return "the node evicted it";
  if (t?.exitCode === 137 || t?.exitCode === 143) return "its processes were killed (node restart or shutdown)";
  return t ? `its main process exited with code ${t.exitCode}` : "its container ended";
}

/** When the container stopped writing: its end time, or now when Kubernetes does not know. */
function endedAt(pod: V1Pod): Date {
  const cs = pod.status?.containerStatuses?.find((c) => c.name === CONTAINER_NAME);
  const at = cs?.state?.terminated?.finishedAt ?? cs?.lastState?.terminated?.finishedAt;
  return at ? new Date(at) : new Date();
}

const hhmm = (d: Date) => `${d.toISOString().slice(11, 16)} UTC`;

/**
 * A devbox asked to run whose container ended without anyone asking: the node restarted or lost
 * power, the cluster went down and up, or its main process died. Like a VM coming back, it gets a
 * new Pod from its newest state: the dead container's writable layer is committed first (the
 * agent commits exited containers, so a power loss keeps what reached the disk), then the Pod
 * generation moves on (the old Pod becomes stale: removed, after that same commit, by the next
 * pass) and a "recover" operation says what happened. Every step is idempotent, so a crash
 * anywhere repeats it to the same end. A devbox that keeps dying stays in Error: at most
 * MAX_RECOVERIES in RECOVERY_WINDOW_MS.
 */
export async function recoverDeadPod(db: Database, d: Devbox & { namespace: string }, pod: V1Pod, beforeRemoval: BeforePodRemoval): Promise<void> {
  const recent = await db
    .select({ id: devboxOperations.id })
    .from(devboxOperations)
    .where(and(eq(devboxOperations.devboxId, d.id), eq(devboxOperations.kind, "recover"), gt(devboxOperations.requestedAt, new Date(Date.now() - RECOVERY_WINDOW_MS))));
  if (recent.length >= MAX_RECOVERIES) {
    const why = `The devbox stopped by itself ${recent.length + 1} times in 10 minutes (last: ${deathCause(pod)}). Its changes are saved; restart it to try again.`;
    if (d.lastError !== why) {
      await setLastError(db, d.id, why);
      announceDevboxChange(d.id);
    }
    return;
  }
  const hadContainer = !!containerIdOf(pod);
  await beforeRemoval(d, pod);
  const cause = deathCause(pod);
  const message = hadContainer
    ? `Recovered after ${cause}: changes up to ${hhmm(endedAt(pod))} kept.`
    : `Recovered after ${cause}: the container was gone, so it started from its last snapshot.`;
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(devboxes)
      .set({ podGeneration: sql`${devboxes.podGeneration} + 1`, lastError: null, updatedAt: new Date() })
      .where(and(eq(devboxes.id, d.id), eq(devboxes.podGeneration, d.podGeneration), eq(devboxes.desiredState, "running")))
      .returning();
    if (!row) return; // a user's request came first: it decides what runs next
    await tx.insert(devboxOperations).values({ id: newId(), devboxId: d.id, teamId: d.teamId, kind: "recover", actorId: null, details: { message, cause, pod: pod.metadata?.name } });
  });
  console.log(`[devbox] ${d.namespace}/${d.name}: ${message}`);
  announceDevboxChange(d.id);
}
