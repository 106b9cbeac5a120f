import { integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { EnvVar } from "./devboxes";
import { releases } from "./releases";
import { teams } from "./teams";

/**
 * A release run as a service (lib/apps): what the user asked for. Kubernetes (a Deployment and a
 * Service named after the app) holds what runs; pages read that from an informer.
 */
export const apps = pgTable(
  "apps",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    devboxId: text("devbox_id").notNull(),
    // A release in use cannot be deleted (restrict), nor the one to roll back to.
    releaseId: text("release_id")
      .notNull()
      .references(() => releases.id, { onDelete: "restrict" }),
    previousReleaseId: text("previous_release_id").references(() => releases.id, { onDelete: "set null" }),
    replicas: integer("replicas").notNull(),
    cpuMillis: integer("cpu_millis").notNull(),
    memoryMiB: integer("memory_mib").notNull(),
    env: jsonb("env").$type<EnvVar[]>().notNull().default([]),
    // Replaces the release's entrypoint+cmd when set.
    command: jsonb("command").$type<string[] | null>(),
    probePath: text("probe_path"),
    createdBy: text("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("apps_team_name_idx").on(t.teamId, t.name)],
);

export type App = typeof apps.$inferSelect;
