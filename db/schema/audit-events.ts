import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

// Append-only. No foreign keys: the trail must outlive the users and teams it mentions.
export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorId: text("actor_id"),
    teamId: text("team_id"),
    action: text("action").notNull(),
    target: text("target"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index("audit_events_team_at_idx").on(t.teamId, t.at)],
);

export type AuditEvent = typeof auditEvents.$inferSelect;
