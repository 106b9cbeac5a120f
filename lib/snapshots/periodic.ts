import type { Database } from "@/db/client";
import { listAllDevboxesWithNamespace } from "@/lib/devboxes/queries";
import { runningPodOf } from "./requests";
import { commitPod, withDevboxLock } from "./service";

/** Minutes between automatic snapshots of running devboxes; 0 or unset turns them off. */
export const snapshotIntervalMinutes = () => Math.max(0, Number(process.env.DEVBOX_SNAPSHOT_INTERVAL_MIN ?? 0) || 0);

/**
 * Commits every running devbox once per interval slot. The request id names the slot, so a
 * second replica, a restart or an overlapping run in the same slot commits nothing twice.
 * Returns how many devboxes were committed.
 */
export async function commitRunningDevboxes(db: Database, slot: number): Promise<number> {
  let committed = 0;
  for (const d of await listAllDevboxesWithNamespace(db)) {
    const pod = runningPodOf(d);
    if (!pod) continue;
    try {
      await withDevboxLock(d.id, () => commitPod(db, d, pod, { trigger: "periodic", actorId: null, requestId: `periodic-${d.id}-${slot}` }));
      committed++;
    } catch (err) {
      // One devbox's failure (agent busy, registry down) must not skip the others; next slot retries.
      console.error(`[devbox] periodic snapshot of ${d.namespace}/${d.name} failed:`, err instanceof Error ? err.message : err);
    }
  }
  return committed;
}

/** Runs commitRunningDevboxes each interval while `isLeader()` says this replica leads. */
export function schedulePeriodicSnapshots(db: Database, isLeader: () => boolean): () => void {
  const minutes = snapshotIntervalMinutes();
  if (minutes === 0) return () => {};
  const periodMs = minutes * 60_000;
  let running = false;
  const timer = setInterval(() => {
    if (running || !isLeader()) return;
    running = true;
    void commitRunningDevboxes(db, Math.floor(Date.now() / periodMs)).finally(() => (running = false));
  }, periodMs);
  timer.unref();
  return () => clearInterval(timer);
}
