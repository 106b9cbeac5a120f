import { and, desc, eq, like, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "@/db/client";
import { auditEvents } from "@/db/schema/audit-events";
import { users } from "@/db/schema/users";

export interface AuditFilter {
  /** A devbox name (events name it as target or carry its id). */
  devbox?: string;
  devboxId?: string;
  /** The actor's user id. */
  userId?: string;
  /** An action prefix: "share_link", "preview", "team.invite", "terminal.share", "devbox", … */
  kind?: string;
  limit?: number;
}

function filterConditions(teamId: string, f: AuditFilter): SQL[] {
  const conds: SQL[] = [eq(auditEvents.teamId, teamId)];
  if (f.devbox || f.devboxId) {
    const parts: SQL[] = [];
    if (f.devbox) parts.push(eq(auditEvents.target, f.devbox));
    if (f.devboxId) parts.push(sql`${auditEvents.details}->>'devboxId' = ${f.devboxId}`);
    conds.push(or(...parts)!);
  }
  if (f.userId) conds.push(eq(auditEvents.actorId, f.userId));
  if (f.kind) conds.push(or(eq(auditEvents.action, f.kind), like(auditEvents.action, `${f.kind.replace(/[%_\\]/g, "\\$&")}.%`))!);
  return conds;
}

/** A team's audit trail, newest first, filtered: the first page (the audit page and its tests). */
export async function listAuditPage(db: Database, teamId: string, f: AuditFilter) {
  return (await auditEventsPage(db, teamId, f, Math.min(f.limit ?? 200, 500))).items;
}

/** Where the previous page ended: the last event's time as PostgreSQL prints it (microseconds kept) and its id. */
export interface AuditCursor {
  at: string;
  id: string;
}

/**
 * One page of the trail for the REST API, newest first. The trail grows without bound, so the page
 * is cut in SQL by keyset (at, id) after the cursor: events recorded meanwhile neither repeat nor
 * shift the next page.
 */
export async function auditEventsPage(db: Database, teamId: string, f: AuditFilter, limit: number, after?: AuditCursor) {
  const conds = filterConditions(teamId, f);
  if (after) conds.push(sql`(${auditEvents.at}, ${auditEvents.id}) < (${after.at}::timestamptz, ${after.id}::uuid)`);
  const rows = await db
    .select({ event: auditEvents, actorEmail: users.email, cursorAt: sql<string>`${auditEvents.at}::text` })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(and(...conds))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit).map((r) => ({ ...r.event, actorEmail: r.actorEmail }));
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { items, next: last ? { at: last.cursorAt, id: last.event.id } : null };
}
