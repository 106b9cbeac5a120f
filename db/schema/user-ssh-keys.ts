import { pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./users";

/** Users' SSH public keys, authorized in every devbox the user may open (lib/ssh/authorized-keys.ts). */
export const userSshKeys = pgTable(
  "user_ssh_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // "<type> <base64>" only: the comment is dropped, the name replaces it.
    publicKey: text("public_key").notNull(),
    // OpenSSH's "SHA256:…" fingerprint.
    fingerprint: text("fingerprint").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("user_ssh_keys_user_fp_idx").on(t.userId, t.fingerprint)],
);

export type UserSshKey = typeof userSshKeys.$inferSelect;
