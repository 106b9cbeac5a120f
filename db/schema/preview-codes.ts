import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * One-time codes of the preview hand-off: the dashboard issues one for (user, apps host) after
 * checking the session; the apps host exchanges it once, within a minute, for its own cookie.
 * Only the code's SHA-256 is stored.
 */
export const previewCodes = pgTable("preview_codes", {
  codeHash: text("code_hash").primaryKey(),
  userId: text("user_id").notNull(),
  host: text("host").notNull(),
  sessionVersion: integer("session_version").notNull(),
  // The dashboard session it came from (null: a token from before session ids): its sign-out ends the apps cookie too.
  sessionId: text("session_id"),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  usedAt: timestamp("used_at", { withTimezone: true }),
});
