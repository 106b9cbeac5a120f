import { eq, sum } from "drizzle-orm";
import type { Database } from "@/db/client";
import { snapshots } from "@/db/schema/snapshots";
import { AppError } from "@/lib/errors";
import { parseBytes } from "@/lib/k8s/quantity";
import { formatBytes } from "./format";

/**
 * Per-team snapshot storage quota (DEVBOX_TEAM_SNAPSHOT_QUOTA, a byte quantity, default 50Gi).
 * Checked before a user's Commit only: the snapshot a stop, restart or update takes is never
 * refused (refusing it would lose the user's work), so a team can end up over the quota; its
 * next Commit is then refused until purges or deletions bring it back under.
 *
 * Use is what the team's recorded snapshots added (their new layers' compressed sizes), from the
 * DB: one query, no registry round-trips. It can only over-count (a merged layer is counted
 * until the snapshots it replaced are purged).
 */
export function teamSnapshotQuotaBytes(): number {
  const raw = process.env.DEVBOX_TEAM_SNAPSHOT_QUOTA ?? "50Gi";
  try {
    return parseBytes(raw);
  } catch {
    console.error(`[devbox] DEVBOX_TEAM_SNAPSHOT_QUOTA=${raw} is not a byte quantity; using 50Gi`);
    return parseBytes("50Gi");
  }
}

export async function teamSnapshotBytes(db: Pick<Database, "select">, teamId: string): Promise<number> {
  const [row] = await db.select({ total: sum(snapshots.bytesAdded) }).from(snapshots).where(eq(snapshots.teamId, teamId));
  return Number(row?.total ?? 0);
}

/** Throws quota_exceeded when the team's snapshots already use its whole quota. */
export async function assertSnapshotQuota(db: Pick<Database, "select">, teamId: string, quota = teamSnapshotQuotaBytes()): Promise<void> {
  const used = await teamSnapshotBytes(db, teamId);
  if (used >= quota)
    throw new AppError(
      "quota_exceeded",
      `The team's snapshot storage quota (${formatBytes(quota)}) is exceeded: its snapshots use ${formatBytes(used)}. ` +
        "Delete devboxes you no longer need, or ask an administrator to raise the quota. Stopping a devbox still saves its changes.",
    );
}
