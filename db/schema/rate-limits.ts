import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Fixed-window counters for abuse limits (sign-in, sign-up), in the DB so every dashboard replica
 * counts together. `key` names the limit and the subject, e.g. `signin:ip:127.0.0.1`.
 */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
  count: integer("count").notNull(),
});
