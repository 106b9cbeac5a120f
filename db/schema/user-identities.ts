import { pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * An external identity (OIDC issuer + subject) linked to an account. Sign-in matches on this pair,
 * never on the email the provider reports, so a provider that lets users claim any email cannot
 * take over an existing account.
 */
export const userIdentities = pgTable(
  "user_identities",
  {
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.issuer, t.subject] })],
);

export type UserIdentity = typeof userIdentities.$inferSelect;
