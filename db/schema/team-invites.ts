import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { teamRole } from "./memberships";
import { teams } from "./teams";

/** Team invite links: a role, an expiry and a number of uses; the link holds a random token (hash stored). */
export const teamInvites = pgTable(
  "team_invites",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    role: teamRole("role").notNull(),
    maxUses: integer("max_uses").notNull(),
    uses: integer("uses").notNull().default(0),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("team_invites_team_idx").on(t.teamId)],
);

export type TeamInvite = typeof teamInvites.$inferSelect;
