import { bigint, index, integer, pgTable, primaryKey, real, text, timestamp } from "drizzle-orm/pg-core";
import { devboxes } from "./devboxes";

/**
 * A devbox's resource use, downsampled as it is recorded (lib/usage/): one row per devbox per
 * bucket, 1-minute buckets kept for an hour and 15-minute buckets for a day, older rows dropped,
 * so a devbox never has more than ~160 rows. Every sample folds into both of its buckets: CPU and
 * network are averaged (`samples` counts what is averaged), memory and disk keep the peak (what
 * hits a limit).
 */
export const usageSamples = pgTable(
  "usage_samples",
  {
    devboxId: text("devbox_id")
      .notNull()
      .references(() => devboxes.id, { onDelete: "cascade" }),
    // Bucket width in seconds: 60 or 900 (lib/usage/buckets.ts).
    resolution: integer("resolution").notNull(),
    bucketStart: timestamp("bucket_start", { withTimezone: true }).notNull(),
    samples: integer("samples").notNull(),
    cpuMillis: real("cpu_millis").notNull(),
    memoryBytes: bigint("memory_bytes", { mode: "number" }).notNull(),
    diskBytes: bigint("disk_bytes", { mode: "number" }).notNull(),
    // Bytes per second; null when no sample of the bucket had a previous one to diff against.
    rxBytesPerSec: real("rx_bytes_per_sec"),
    txBytesPerSec: real("tx_bytes_per_sec"),
    netSamples: integer("net_samples").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.devboxId, t.resolution, t.bucketStart] }),
    // retention deletes by age across devboxes
    index("usage_samples_age_idx").on(t.resolution, t.bucketStart),
  ],
);

export type UsageSample = typeof usageSamples.$inferSelect;
