import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { teams } from "./teams";

/** A team's idle timeout for its devboxes (overrides the template's; 0 = never); no row = the template's. */
export const teamIdleSettings = pgTable("team_idle_settings", {
  teamId: text("team_id")
    .primaryKey()
    .references(() => teams.id, { onDelete: "cascade" }),
  timeoutMinutes: integer("timeout_minutes"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
