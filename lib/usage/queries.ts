import { and, desc, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { devboxes } from "@/db/schema/devboxes";
import { usageSamples } from "@/db/schema/usage-samples";
import { bucketStart, MINUTE, RESOLUTIONS, retentionCutoff, type Resolution, type Sample } from "./buckets";
import type { SeriesRow } from "./series";

/**
 * Folds one sample per devbox into its 1-minute and 15-minute buckets: one INSERT … ON CONFLICT
 * per resolution, the arithmetic of `fold` (./buckets.ts) in SQL, so concurrent writers (a leader
 * hand-over mid-pass) still count every sample once. At most one sample per devbox per call.
 */
export async function recordSamples(db: Database, at: Date, samples: Map<string, Sample>): Promise<void> {
  if (samples.size === 0) return;
  const t = usageSamples;
  for (const r of RESOLUTIONS) {
    const start = bucketStart(at, r);
    await db
      .insert(t)
      .values(
        [...samples].map(([devboxId, s]) => ({
          devboxId,
          resolution: r.seconds,
          bucketStart: start,
          samples: 1,
          cpuMillis: s.cpuMillis,
          memoryBytes: Math.round(s.memoryBytes),
          diskBytes: Math.round(s.diskBytes),
          rxBytesPerSec: s.rxBytesPerSec ?? null,
          txBytesPerSec: s.txBytesPerSec ?? null,
          netSamples: s.rxBytesPerSec === undefined ? 0 : 1,
        })),
      )
      .onConflictDoUpdate({
        target: [t.devboxId, t.resolution, t.bucketStart],
        // SET sees the old row: every expression folds `excluded` into it.
        set: {
          samples: sql`${t.samples} + 1`,
          cpuMillis: sql`(${t.cpuMillis} * ${t.samples} + excluded.cpu_millis) / (${t.samples} + 1)`,
          memoryBytes: sql`greatest(${t.memoryBytes}, excluded.memory_bytes)`,
          diskBytes: sql`greatest(${t.diskBytes}, excluded.disk_bytes)`,
          rxBytesPerSec: sql`case when excluded.net_samples = 0 then ${t.rxBytesPerSec} else (coalesce(${t.rxBytesPerSec}, 0) * ${t.netSamples} + excluded.rx_bytes_per_sec) / (${t.netSamples} + 1) end`,
          txBytesPerSec: sql`case when excluded.net_samples = 0 then ${t.txBytesPerSec} else (coalesce(${t.txBytesPerSec}, 0) * ${t.netSamples} + excluded.tx_bytes_per_sec) / (${t.netSamples} + 1) end`,
          netSamples: sql`${t.netSamples} + excluded.net_samples`,
        },
      });
  }
}

/** Drops every row older than its resolution keeps; returns how many went. */
export async function dropExpired(db: Database, now: Date): Promise<number> {
  const t = usageSamples;
  const gone = await db
    .delete(t)
    .where(or(...RESOLUTIONS.map((r) => and(eq(t.resolution, r.seconds), lt(t.bucketStart, retentionCutoff(now, r))))))
    .returning({ id: t.devboxId });
  return gone.length;
}

/** One devbox's rows of a resolution within its window, oldest first. */
export async function readRows(db: Database, devboxId: string, r: Resolution, now: Date): Promise<SeriesRow[]> {
  const t = usageSamples;
  return db
    .select({
      bucketStart: t.bucketStart,
      cpuMillis: t.cpuMillis,
      memoryBytes: t.memoryBytes,
      diskBytes: t.diskBytes,
      rxBytesPerSec: t.rxBytesPerSec,
      txBytesPerSec: t.txBytesPerSec,
    })
    .from(t)
    .where(and(eq(t.devboxId, devboxId), eq(t.resolution, r.seconds), gte(t.bucketStart, retentionCutoff(now, r))))
    .orderBy(t.bucketStart);
}

/** The newest 1-minute bucket of a devbox (memory and disk peaks of its last minute sampled). */
export async function latestMinute(db: Database, devboxId: string): Promise<{ at: Date; memoryBytes: number; diskBytes: number; cpuMillis: number } | undefined> {
  const t = usageSamples;
  const [row] = await db
    .select({ bucketStart: t.bucketStart, memoryBytes: t.memoryBytes, diskBytes: t.diskBytes, cpuMillis: t.cpuMillis })
    .from(t)
    .where(and(eq(t.devboxId, devboxId), eq(t.resolution, MINUTE.seconds)))
    .orderBy(desc(t.bucketStart))
    .limit(1);
  return row && { at: row.bucketStart, memoryBytes: row.memoryBytes, diskBytes: row.diskBytes, cpuMillis: row.cpuMillis };
}

export interface Consumer {
  devboxId: string;
  name: string;
  /** Average over the last hour, millicores. */
  cpuMillis: number;
  /** Peak over the last hour, bytes. */
  memoryBytes: number;
}

/** A team's devboxes by what they used in the last hour (CPU average, memory peak), biggest first. */
export async function teamConsumers(db: Database, teamId: string, now: Date, limit = 5): Promise<Consumer[]> {
  const t = usageSamples;
  const rows = await db
    .select({
      devboxId: t.devboxId,
      name: devboxes.name,
      cpuMillis: sql<number>`avg(${t.cpuMillis})`.mapWith(Number),
      memoryBytes: sql<number>`max(${t.memoryBytes})`.mapWith(Number),
    })
    .from(t)
    .innerJoin(devboxes, eq(devboxes.id, t.devboxId))
    .where(and(eq(devboxes.teamId, teamId), eq(t.resolution, MINUTE.seconds), gte(t.bucketStart, retentionCutoff(now, MINUTE))))
    .groupBy(t.devboxId, devboxes.name)
    .orderBy(desc(sql`avg(${t.cpuMillis})`), desc(sql`max(${t.memoryBytes})`))
    .limit(limit);
  return rows;
}

/** Row counts per devbox (tests: history stays bounded). */
export async function rowCount(db: Database, devboxIds: string[]): Promise<number> {
  if (devboxIds.length === 0) return 0;
  const [r] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(usageSamples).where(inArray(usageSamples.devboxId, devboxIds));
  return r.n;
}
