import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * Session tokens signed out one by one (plain sign-out). Each token carries a random session id
 * (`sid`, lib/auth/options.ts); a request whose id is listed here is nobody, copies of the cookie
 * included. A row is kept until no token of that session can still be unexpired (the refresh of
 * a listed session is refused, so that is the sign-out plus the session lifetime).
 */
export const revokedSessions = pgTable(
  "revoked_sessions",
  {
    sessionId: text("session_id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("revoked_sessions_expires_at_idx").on(t.expiresAt)],
);
