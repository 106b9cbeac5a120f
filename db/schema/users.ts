import { boolean, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const users = pgTable("users", {
  id: text("id").primaryKey(),
  // Stored lower-cased so uniqueness is case-insensitive.
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  // Null for accounts that only sign in through OIDC.
  passwordHash: text("password_hash"),
  isInstanceAdmin: boolean("is_instance_admin").notNull().default(false),
  // Carried in the session token and re-checked on every request: bumping it ("sign out
  // everywhere") revokes every session issued before.
  sessionVersion: integer("session_version").notNull().default(0),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
