import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { devboxes } from "./devboxes";

/**
 * Signed preview links for one port of one devbox whose level is `link`. The link carries the
 * id and an HMAC of it (lib/preview/share-tokens.ts); the row decides whether it still holds
 * (expiry, revocation), so a revocation takes effect on the next request.
 */
export const shareLinks = pgTable(
  "share_links",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    devboxId: text("devbox_id")
      .notNull()
      .references(() => devboxes.id, { onDelete: "cascade" }),
    port: integer("port").notNull(),
    label: text("label").notNull().default(""),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedBy: text("revoked_by"),
  },
  (t) => [index("share_links_devbox_port_idx").on(t.devboxId, t.port)],
);

export type ShareLink = typeof shareLinks.$inferSelect;
