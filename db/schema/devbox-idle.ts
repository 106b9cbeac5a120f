import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { devboxes } from "./devboxes";

/**
 * Idle auto-stop state of one devbox (lib/idle/): the last activity a person caused (written by
 * the coalescer at most once per flush interval, never per keystroke), the devbox's own timeout
 * and daily-stop overrides and a "keep running until" bump. The deadline (and its warning window) is computed from
 * these (lib/idle/deadline.ts), never stored. Kept in the DB so a dashboard restart or a new leader
 * carries on with the same deadlines.
 */
export const devboxIdle = pgTable("devbox_idle", {
  devboxId: text("devbox_id")
    .primaryKey()
    .references(() => devboxes.id, { onDelete: "cascade" }),
  lastActivityAt: timestamp("last_activity_at", { withTimezone: true }),
  lastActivityKind: text("last_activity_kind"),
  lastActivityBy: text("last_activity_by"),
  // null = the team's or the template's timeout; 0 = never stop.
  timeoutMinutes: integer("timeout_minutes"),
  // The devbox's own daily stop: "HH:MM" with its zone, "never" (no daily stop whatever the team says), null = the team's.
  dailyStopTime: text("daily_stop_time"),
  dailyStopZone: text("daily_stop_zone"),
  dailyStopSetAt: timestamp("daily_stop_set_at", { withTimezone: true }),
  keepUntil: timestamp("keep_until", { withTimezone: true }),
  keepBy: text("keep_by"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type DevboxIdle = typeof devboxIdle.$inferSelect;
