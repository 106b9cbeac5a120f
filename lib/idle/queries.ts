import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Database } from "@/db/client";
import { devboxIdle } from "@/db/schema/devbox-idle";
import { devboxes, type Devbox } from "@/db/schema/devboxes";
import { teamIdleSettings } from "@/db/schema/team-idle-settings";
import { templates } from "@/db/schema/templates";
import { users } from "@/db/schema/users";
import { DEFAULT_IDLE_MINUTES, IDLE_UNIT_MS } from "./clock";
import { computeDeadline, resolveTimeout, type ActivityKind, type Deadline } from "./deadline";

export interface IdleState {
  devbox: Pick<Devbox, "id" | "teamId" | "name" | "desiredState" | "updatedAt" | "podGeneration">;
  timeoutMinutes: number;
  /** Where the timeout comes from. */
  timeoutSource: "devbox" | "team" | "template" | "default";
  devboxTimeout: number | null;
  teamTimeout: number | null;
  templateTimeout: number | null;
  deadline: Deadline;
  /** Display names of the people in `deadline.movedBy`. */
  movedByName: string | null;
}

const activityUser = alias(users, "activity_user");
const keepUser = alias(users, "keep_user");

/** Idle state of the given devboxes (or every devbox that should run), deadline included. */
export async function loadIdleStates(db: Database, devboxIds?: string[]): Promise<IdleState[]> {
  const where = devboxIds ? inArray(devboxes.id, devboxIds) : eq(devboxes.desiredState, "running");
  if (devboxIds && devboxIds.length === 0) return [];
  const rows = await db
    .select({
      id: devboxes.id,
      teamId: devboxes.teamId,
      name: devboxes.name,
      desiredState: devboxes.desiredState,
      updatedAt: devboxes.updatedAt,
      podGeneration: devboxes.podGeneration,
      idle: devboxIdle,
      teamTimeout: teamIdleSettings.timeoutMinutes,
      templateTimeout: templates.idleTimeoutMinutes,
      activityName: activityUser.name,
      keepName: keepUser.name,
    })
    .from(devboxes)
    .leftJoin(devboxIdle, eq(devboxIdle.devboxId, devboxes.id))
    .leftJoin(teamIdleSettings, eq(teamIdleSettings.teamId, devboxes.teamId))
    .leftJoin(templates, eq(templates.id, devboxes.templateId))
    .leftJoin(activityUser, eq(activityUser.id, devboxIdle.lastActivityBy))
    .leftJoin(keepUser, eq(keepUser.id, devboxIdle.keepBy))
    .where(and(where));
  return rows.map((r) => {
    const devboxTimeout = r.idle?.timeoutMinutes ?? null;
    const timeoutMinutes = resolveTimeout(devboxTimeout, r.teamTimeout, r.templateTimeout, DEFAULT_IDLE_MINUTES);
    const timeoutSource = devboxTimeout !== null ? "devbox" : r.teamTimeout !== null ? "team" : r.templateTimeout !== null ? "template" : "default";
    const deadline = computeDeadline({
      timeoutMinutes,
      lastActivity: r.idle?.lastActivityAt ? { at: r.idle.lastActivityAt, kind: (r.idle.lastActivityKind ?? "start") as ActivityKind, by: r.idle.lastActivityBy } : null,
      changedAt: r.updatedAt,
      changedBy: null,
      keepUntil: r.idle?.keepUntil ? { at: r.idle.keepUntil, by: r.idle.keepBy } : null,
    });
    const movedByName = deadline.movedBy.kind === "keep-running" ? r.keepName : deadline.movedBy.kind === "start" ? null : r.activityName;
    return {
      devbox: { id: r.id, teamId: r.teamId, name: r.name, desiredState: r.desiredState, updatedAt: r.updatedAt, podGeneration: r.podGeneration },
      timeoutMinutes,
      timeoutSource,
      devboxTimeout,
      teamTimeout: r.teamTimeout ?? null,
      templateTimeout: r.templateTimeout ?? null,
      deadline,
      movedByName,
    };
  });
}

/**
 * The condition, for the stop's conditional UPDATE of `devboxes`, that nothing moved the deadline
 * since `s` was loaded: no activity after the one it was computed from, no "keep running" still
 * ahead, the same own timeout. A change in between makes the stop a no-op; the next pass decides
 * again from the new state.
 */
export function stillIdle(s: IdleState): SQL {
  const since = new Date(s.deadline.stopAt!.getTime() - s.timeoutMinutes * IDLE_UNIT_MS).toISOString();
  return sql`NOT EXISTS (SELECT 1 FROM devbox_idle i WHERE i.devbox_id = ${devboxes.id} AND (
    i.last_activity_at > ${since}::timestamptz OR i.keep_until > now() OR i.timeout_minutes IS DISTINCT FROM ${s.devboxTimeout}::integer))`;
}

export async function teamIdleTimeout(db: Database, teamId: string): Promise<number | null> {
  const [row] = await db.select({ t: teamIdleSettings.timeoutMinutes }).from(teamIdleSettings).where(eq(teamIdleSettings.teamId, teamId));
  return row?.t ?? null;
}
