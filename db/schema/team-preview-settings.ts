import { pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { previewLevel } from "./preview-ports";
import { teams } from "./teams";

/** A team's cap on its ports' preview levels (an admin can forbid `public`); no row = no team cap. */
export const teamPreviewSettings = pgTable("team_preview_settings", {
  teamId: text("team_id")
    .primaryKey()
    .references(() => teams.id, { onDelete: "cascade" }),
  maxLevel: previewLevel("max_level").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
