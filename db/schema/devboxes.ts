import { integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { teams } from "./teams";
import type { PortSpec } from "./templates";

export const desiredState = pgEnum("devbox_desired_state", ["running", "stopped", "deleted"]);

export interface EnvVar {
  name: string;
  value: string;
}

/**
 * What the user asked for. Kubernetes holds what is running; the reconciler converges the two.
 * `podGeneration` names the Pod that should run (`<name>-<generation>`): restart and update bump
 * it, so the old Pod is replaced by a new one.
 */
export const devboxes = pgTable(
  "devboxes",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    templateId: text("template_id").notNull(),
    // The image the next Pod runs: the template's at first, later the latest snapshot.
    image: text("image").notNull(),
    cpuMillis: integer("cpu_millis").notNull(),
    memoryMiB: integer("memory_mib").notNull(),
    diskMiB: integer("disk_mib").notNull(),
    env: jsonb("env").$type<EnvVar[]>().notNull().default([]),
    ports: jsonb("ports").$type<PortSpec[]>().notNull().default([]),
    user: text("user").notNull(),
    workingDir: text("working_dir").notNull(),
    desiredState: desiredState("desired_state").notNull().default("running"),
    podGeneration: integer("pod_generation").notNull().default(1),
    // Why the reconciler could not converge (quota, refused spec…); cleared when it can.
    lastError: text("last_error"),
    createdBy: text("created_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("devboxes_team_name_idx").on(t.teamId, t.name)],
);

export type Devbox = typeof devboxes.$inferSelect;
