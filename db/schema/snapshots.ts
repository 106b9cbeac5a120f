import { bigint, boolean, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { devboxes } from "./devboxes";

export const snapshotTrigger = pgEnum("snapshot_trigger", ["stop", "commit", "restart", "update", "periodic", "merge", "fork", "recovery"]);

/**
 * One saved state of a devbox: an image in the internal registry, the previous image's layers plus
 * one layer with what changed (see lib/snapshots). Recorded only after the registry has it.
 * Image refs: `<registry>/<team-namespace>/<devbox-name>:s-<hash of requestId>`.
 */
export const snapshots = pgTable(
  "snapshots",
  {
    id: text("id").primaryKey(),
    devboxId: text("devbox_id")
      .notNull()
      .references(() => devboxes.id, { onDelete: "cascade" }),
    teamId: text("team_id").notNull(),
    image: text("image").notNull(),
    digest: text("digest").notNull(),
    // Manifest digest of the image this one was made from (a template or an earlier snapshot).
    parentDigest: text("parent_digest"),
    parentImage: text("parent_image"),
    // The new layer (absent when nothing changed or for a fork copy).
    layerDigest: text("layer_digest"),
    bytesAdded: bigint("bytes_added", { mode: "number" }).notNull().default(0),
    layerCount: integer("layer_count").notNull(),
    // Layers of this devbox's own (on top of the template's); merges keep it under a bound.
    ownLayerCount: integer("own_layer_count").notNull(),
    trigger: snapshotTrigger("trigger").notNull(),
    actorId: text("actor_id"),
    durationMs: integer("duration_ms").notNull().default(0),
    // The Pod whose container was committed, and the agent's idempotency key.
    podUid: text("pod_uid"),
    requestId: text("request_id").notNull(),
    // Kept by purge whatever its age (releases will pin what they ship).
    pinned: boolean("pinned").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("snapshots_request_idx").on(t.requestId), index("snapshots_devbox_idx").on(t.devboxId, t.createdAt)],
);

export type Snapshot = typeof snapshots.$inferSelect;
export type SnapshotTrigger = (typeof snapshotTrigger.enumValues)[number];
