import type { Database } from "@/db/client";
import { auditEvents } from "@/db/schema/audit-events";
import { desc, eq } from "drizzle-orm";

export interface AuditEntry {
  actorId: string | null;
  teamId?: string | null;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Database, e: AuditEntry): Promise<void> {
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
