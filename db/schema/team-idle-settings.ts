import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { teams } from "./teams";

/**
 * A team's automatic stops for its devboxes (lib/idle/): the idle timeout (overrides the template's;
 * 0 = never; null = the template's), a maximum lifetime since the last start (null = none) and a
 * daily stop at a wall-clock time in an IANA zone (null = none; a devbox may override it).
 */
export const teamIdleSettings = pgTable("team_idle_settings", {
  teamId: text("team_id")
    .primaryKey()
    .references(() => teams.id, { onDelete: "cascade" }),
  timeoutMinutes: integer("timeout_minutes"),
  maxLifetimeMinutes: integer("max_lifetime_minutes"),
  // When the lifetime / daily stop last changed: a new setting never stops a devbox before its warning window.
  maxLifetimeSetAt: timestamp("max_lifetime_set_at", { withTimezone: true }),
  dailyStopSetAt: timestamp("daily_stop_set_at", { withTimezone: true }),
  // "HH:MM" and the zone it is read in, e.g. "20:00" "Europe/Paris"; both set or both null.
  dailyStopTime: text("daily_stop_time"),
  dailyStopZone: text("daily_stop_zone"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
