import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { teams } from "./teams";
import { users } from "./users";

/**
 * Personal access tokens. Only the SHA-256 of the secret is kept: the secret has 256 bits of
 * entropy, so a fast hash is enough (no password stretching needed) and lookup is one index probe.
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // sha256 hex of the whole token string (prefix included).
    secretHash: text("secret_hash").notNull(),
    // The first characters of the token, shown in lists so a user can tell tokens apart.
    displayPrefix: text("display_prefix").notNull(),
    scopes: text("scopes").array().notNull(),
    // Optional restriction: one team, and within it optionally only the named devboxes.
    teamId: text("team_id").references(() => teams.id, { onDelete: "cascade" }),
    devboxNames: text("devbox_names").array(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("api_tokens_secret_hash_idx").on(t.secretHash), index("api_tokens_user_idx").on(t.userId)],
);

export type ApiToken = typeof apiTokens.$inferSelect;
