import type { Database } from "@/db/client";
import type { Page } from "@/lib/api/pagination";
import { invalidCursor, PAGE_LIMIT_DEFAULT } from "@/lib/api/pagination";
import { findDevbox } from "@/lib/devboxes/queries";
import type { Team } from "@/db/schema/teams";
import { auditEventsPage, type AuditCursor } from "./queries";
import type { AuditQuery } from "./schemas";
import type { z } from "zod";

export interface AuditEventView {
  id: string;
  at: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

const encodeCursor = (c: AuditCursor) => Buffer.from(`${c.at}|${c.id}`, "utf8").toString("base64url");

// The cursor goes into SQL casts: anything but what encodeCursor made is refused before it gets there.
function decodeCursor(cursor: string): AuditCursor {
  const invalid = invalidCursor();
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid;
  const [at, id, ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (rest.length || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.test(at ?? "")) throw invalid;
  if (Number.isNaN(Date.parse(`${at.slice(0, 10)}T${at.slice(11, 19)}Z`)) || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id ?? "")) throw invalid;
  return { at, id };
}

/** A page of the team's audit trail, newest first, with the audit page's filters (GET /api/v1/teams/{team}/audit). */
export async function teamAuditPage(db: Database, team: Team, q: z.infer<typeof AuditQuery>): Promise<Page<AuditEventView>> {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  const box = q.devbox ? await findDevbox(db, team.id, q.devbox) : undefined;
  const { items, next } = await auditEventsPage(
    db,
    team.id,
    { devbox: q.devbox || undefined, devboxId: box?.id, userId: q.user || undefined, kind: q.kind || undefined },
    q.limit ?? PAGE_LIMIT_DEFAULT,
    after,
  );
  return {
    items: items.map((e) => ({ id: e.id, at: e.at.toISOString(), actorId: e.actorId, actorEmail: e.actorEmail, action: e.action, target: e.target, details: e.details })),
    nextCursor: next ? encodeCursor(next) : null,
  };
}
