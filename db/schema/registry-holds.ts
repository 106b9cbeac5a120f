import { pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const registryHoldKind = pgEnum("registry_hold_kind", ["push", "gc"]);

/**
 * Who is using the registry right now, across dashboard replicas: a commit or merge pushing
 * (one row per request id), or a garbage collection sweeping. Distribution's GC deletes blobs no
 * manifest references yet — the blobs of a push in flight — so the two must never overlap
 * (lib/snapshots/registry-holds.ts). Rows of a crashed process expire.
 */
export const registryHolds = pgTable("registry_holds", {
  id: text("id").primaryKey(),
  kind: registryHoldKind("kind").notNull(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
});
