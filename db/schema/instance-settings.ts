import { jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

// Instance-wide settings kept in the DB so every dashboard replica sees the same values.
export const instanceSettings = pgTable("instance_settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
