import { index, jsonb, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const operationKind = pgEnum("devbox_operation_kind", ["create", "start", "stop", "restart", "update", "delete", "recover"]);
export const operationStatus = pgEnum("devbox_operation_status", ["pending", "succeeded", "failed", "superseded"]);

// Each user request on a devbox, finished by the reconciler when Kubernetes matches it. "recover" is
// the reconciler's own: a new Pod for a devbox whose container died with its node.
export const devboxOperations = pgTable(
  "devbox_operations",
  {
    id: text("id").primaryKey(),
    // No foreign key: operations outlive a deleted devbox in the activity feed.
    devboxId: text("devbox_id").notNull(),
    teamId: text("team_id").notNull(),
    kind: operationKind("kind").notNull(),
    status: operationStatus("status").notNull().default("pending"),
    actorId: text("actor_id"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    error: text("error"),
    requestedAt: timestamp("requested_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("devbox_operations_devbox_idx").on(t.devboxId, t.requestedAt)],
);

export type DevboxOperation = typeof devboxOperations.$inferSelect;
export type OperationKind = (typeof operationKind.enumValues)[number];
