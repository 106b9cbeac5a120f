import { boolean, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export interface PortSpec {
  port: number;
  name: string;
}

// A runtime a devbox starts from: an image plus sensible defaults.
export const templates = pgTable("templates", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  displayName: text("display_name").notNull(),
  description: text("description").notNull().default(""),
  icon: text("icon").notNull().default("📦"),
  image: text("image").notNull(),
  defaultCpuMillis: integer("default_cpu_millis").notNull().default(1000),
  defaultMemoryMiB: integer("default_memory_mib").notNull().default(2048),
  defaultDiskMiB: integer("default_disk_mib").notNull().default(10240),
  ports: jsonb("ports").$type<PortSpec[]>().notNull().default([]),
  user: text("user").notNull().default("devbox"),
  workingDir: text("working_dir").notNull().default("/home/devbox/project"),
  builtin: boolean("builtin").notNull().default(false),
  // Idle auto-stop after this many minutes without activity (lib/idle/); 0 = never.
  idleTimeoutMinutes: integer("idle_timeout_minutes").notNull().default(60),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export type Template = typeof templates.$inferSelect;
