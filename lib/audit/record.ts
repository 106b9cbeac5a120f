import type { Database } from "@/db/client";
import { auditEvents } from "@/db/schema/audit-events";
import { desc, eq } from "drizzle-orm";
import { crashPoint } from "@/lib/faults/crash-point";

export interface AuditEntry {
  actorId: string | null;
  teamId?: string | null;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

/**
 * Records an event. Call it in the transaction of the write it reports: a crash between the two
 * would otherwise lose the event for good, since a retry that finds the write done returns early.
 * The crash point is here, once, so test/integration/audit-crash.test.ts kills every flow at its
 * event, wherever the event is written.
 */
export async function recordAudit(db: Database, e: AuditEntry): Promise<void> {
  crashPoint("audit:before-event");
  await db.insert(auditEvents).values({
    actorId: e.actorId,
    teamId: e.teamId ?? null,
    action: e.action,
    target: e.target ?? null,
    details: e.details ?? {},
  });
}

export async function listTeamAudit(db: Database, teamId: string, limit = 50) {
  return db.select().from(auditEvents).where(eq(auditEvents.teamId, teamId)).orderBy(desc(auditEvents.at)).limit(limit);
}
