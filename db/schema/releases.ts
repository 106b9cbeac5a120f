import { bigint, index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { EnvVar } from "./devboxes";
import { devboxes } from "./devboxes";
import type { PortSpec } from "./templates";

export const releaseStatus = pgEnum("release_status", ["pending", "ready", "failed"]);

/**
 * An immutable, versioned image of a devbox (lib/releases): the devbox's own layers merged into
 * one on the template's, with an entrypoint, in `<team-namespace>/<devbox>/releases:<tag>`.
 * `ready` is written only once the registry has the final manifest (one conditional UPDATE), so a
 * crash never leaves a half-made ready release: the reconciler resumes or fails a pending one.
 */
export const releases = pgTable(
  "releases",
  {
    id: text("id").primaryKey(),
    devboxId: text("devbox_id")
      .notNull()
      .references(() => devboxes.id, { onDelete: "cascade" }),
    teamId: text("team_id").notNull(),
    tag: text("tag").notNull(),
    notes: text("notes").notNull().default(""),
    status: releaseStatus("status").notNull().default("pending"),
    // The step a pending release is at (commit, merge, push) and why a failed one failed.
    phase: text("phase"),
    failureReason: text("failure_reason"),
    // Filled once known: the snapshot it was made from (committed for it, or the latest one).
    snapshotId: text("snapshot_id"),
    sourceImage: text("source_image"),
    // The final image (tag ref) and its manifest digest (apps run `repo@digest`).
    image: text("image"),
    digest: text("digest"),
    sizeBytes: bigint("size_bytes", { mode: "number" }),
    entrypoint: jsonb("entrypoint").$type<string[]>().notNull(),
    cmd: jsonb("cmd").$type<string[]>().notNull().default([]),
    workingDir: text("working_dir").notNull(),
    env: jsonb("env").$type<EnvVar[]>().notNull().default([]),
    ports: jsonb("ports").$type<PortSpec[]>().notNull().default([]),
    createdBy: text("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    // Moved by the process building a pending release; a stale one is resumed by the reconciler.
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("releases_devbox_tag_idx").on(t.devboxId, t.tag), index("releases_status_idx").on(t.status)],
);

export type Release = typeof releases.$inferSelect;
export type ReleaseStatus = (typeof releaseStatus.enumValues)[number];
