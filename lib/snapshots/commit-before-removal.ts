import type { Database } from "@/db/client";
import type { BeforePodRemoval } from "@/lib/reconciler/pod-removal";
import { commitPod, containerIdOf, pendingRemovalRequest, removalRequestId, withDevboxLock } from "./service";

/**
 * "Stop gracefully, commit, then delete": the reconciler calls this before it deletes a devbox Pod
 * on stop, restart, update or recovery. The agent sends the processes SIGTERM and commits the
 * exited container, so what they write while shutting down is kept too. It resolves once the container's changes are in the registry and recorded (and the
 * devbox's image points at them); it throws to keep the Pod, and the reconciler retries with
 * backoff while the devbox shows Stopping/Restarting with the error.
 *
 * Once per Pod: the request id is derived from the devbox and the Pod's uid, so a retry after a
 * dashboard crash finds the record (or the agent's finished job) instead of committing again.
 * Skipped when the container was never created (nothing to save) or when the user confirmed a
 * force stop that discards the changes.
 */
/** How long the devbox's processes get to exit after SIGTERM before a stop's snapshot (DEVBOX_STOP_GRACE_SECONDS). */
export const stopGraceSeconds = () => Math.max(1, Number(process.env.DEVBOX_STOP_GRACE_SECONDS ?? 10) || 10);

export function commitBeforeRemoval(db: Database): BeforePodRemoval {
  return async (d, pod) => {
    const uid = pod.metadata?.uid;
    if (!uid || !containerIdOf(pod)) return;
    const op = await pendingRemovalRequest(db, d.id);
    if (op?.details?.discardChanges === true) return;
    const died = d.desiredState === "running" && !op && (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded");
    const trigger = d.desiredState === "stopped" ? "stop" : died ? "recovery" : op?.kind === "update" ? "update" : "restart";
    await withDevboxLock(d.id, () =>
      commitPod(db, d, pod, { trigger, actorId: op?.actorId ?? null, requestId: removalRequestId(d.id, uid), graceSeconds: stopGraceSeconds() }),
    );
  };
}
