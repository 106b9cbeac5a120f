import { bigint, integer, pgTable } from "drizzle-orm/pg-core";

/**
 * One row whose `version` moves whenever anything a preview request's authorization reads
 * changes (devboxes, teams, members, session versions, port levels, maxima, share links): DB
 * triggers bump it at commit (migration 0009_preview_access_triggers). Every dashboard replica's
 * preview access cache (lib/preview/access-cache.ts) is valid only for the version it was filled at.
 */
export const previewAccessVersion = pgTable("preview_access_version", {
  id: integer("id").primaryKey(),
  version: bigint("version", { mode: "number" }).notNull().default(0),
});
