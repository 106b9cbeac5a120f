import { boolean, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const teams = pgTable("teams", {
  id: text("id").primaryKey(),
  // DNS-1123 label; also the URL segment (/t/<slug>).
  slug: text("slug").notNull().unique(),
  displayName: text("display_name").notNull(),
  // The Kubernetes namespace holding every runtime object of the team.
  namespace: text("namespace").notNull().unique(),
  personal: boolean("personal").notNull().default(false),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  // Set when its deletion was asked for (with the audit event): from then on the deletion only
  // goes forward, finished by the request or, after a crash, by the reconciler (lib/teams/service.ts).
  deletingSince: timestamp("deleting_since", { withTimezone: true }),
});

export type Team = typeof teams.$inferSelect;
