import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Database } from "@/db/client";
import { devboxIdle } from "@/db/schema/devbox-idle";
import { devboxes, type Devbox } from "@/db/schema/devboxes";
import { teamIdleSettings } from "@/db/schema/team-idle-settings";
import { templates } from "@/db/schema/templates";
import { users } from "@/db/schema/users";
import { DEFAULT_IDLE_MINUTES, IDLE_UNIT_MS } from "./clock";
import { isValidTime, isValidTimeZone, type DailyStop } from "./daily-stop";
import { computeDeadline, computeStopDeadline, resolveTimeout, type ActivityKind, type Deadline, type StopDeadline } from "./deadline";

export interface IdleState {
  devbox: Pick<Devbox, "id" | "teamId" | "name" | "desiredState" | "updatedAt" | "podGeneration">;
  timeoutMinutes: number;
  /** Where the timeout comes from. */
  timeoutSource: "devbox" | "team" | "template" | "default";
  devboxTimeout: number | null;
  teamTimeout: number | null;
  templateTimeout: number | null;
  /** The idle deadline alone. */
  idle: Deadline;
  /** The next automatic stop: the earliest of idle, the team's maximum lifetime and the daily stop. */
  deadline: StopDeadline;
  /** Display names of the people in `deadline.movedBy`. */
  movedByName: string | null;
  maxLifetimeMinutes: number | null;
  /** When the team's lifetime was last set (it never stops a devbox before a warning window after that). */
  lifetimeSetAt: Date | null;
  /** The daily stop in force, where it comes from and when it was set. */
  dailyStop: (DailyStop & { source: "devbox" | "team" }) | null;
  dailyStopSetAt: Date | null;
  devboxDailyStop: DailyStop | "never" | null;
  teamDailyStop: DailyStop | null;
}

/** A stored time + zone, or null when unset or no longer valid (a zone this runtime's Intl does not know stops nothing). */
function storedDailyStop(time: string | null | undefined, zone: string | null | undefined): DailyStop | null {
  return time && zone && isValidTime(time) && isValidTimeZone(zone) ? { time, timeZone: zone } : null;
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
      teamLifetime: teamIdleSettings.maxLifetimeMinutes,
      teamLifetimeSetAt: teamIdleSettings.maxLifetimeSetAt,
      teamStopSetAt: teamIdleSettings.dailyStopSetAt,
      teamStopTime: teamIdleSettings.dailyStopTime,
      teamStopZone: teamIdleSettings.dailyStopZone,
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
    const keepUntil = r.idle?.keepUntil ? { at: r.idle.keepUntil, by: r.idle.keepBy } : null;
    const idle = computeDeadline({
      timeoutMinutes,
      lastActivity: r.idle?.lastActivityAt ? { at: r.idle.lastActivityAt, kind: (r.idle.lastActivityKind ?? "start") as ActivityKind, by: r.idle.lastActivityBy } : null,
      changedAt: r.updatedAt,
      changedBy: null,
      keepUntil,
    });
    const devboxDailyStop = r.idle?.dailyStopTime === "never" ? "never" : storedDailyStop(r.idle?.dailyStopTime, r.idle?.dailyStopZone);
    const teamDailyStop = storedDailyStop(r.teamStopTime, r.teamStopZone);
    const dailyStop = devboxDailyStop === "never" ? null : devboxDailyStop ? { ...devboxDailyStop, source: "devbox" as const } : teamDailyStop ? { ...teamDailyStop, source: "team" as const } : null;
    const maxLifetimeMinutes = r.teamLifetime && r.teamLifetime > 0 ? r.teamLifetime : null;
    const lifetimeSetAt = r.teamLifetimeSetAt ?? null;
    const dailyStopSetAt = (dailyStop?.source === "devbox" ? r.idle?.dailyStopSetAt : dailyStop ? r.teamStopSetAt : null) ?? null;
    const deadline = computeStopDeadline({
      idle,
      changedAt: r.updatedAt,
      changedBy: null,
      maxLifetimeMinutes,
      dailyStop: dailyStop && { time: dailyStop.time, timeZone: dailyStop.timeZone },
      keepUntil,
      lifetimeSetAt,
      dailyStopSetAt,
    });
    const movedByName = deadline.movedBy.kind === "keep-running" ? r.keepName : deadline.movedBy.kind === "start" ? null : r.activityName;
    return {
      devbox: { id: r.id, teamId: r.teamId, name: r.name, desiredState: r.desiredState, updatedAt: r.updatedAt, podGeneration: r.podGeneration },
      timeoutMinutes,
      timeoutSource,
      devboxTimeout,
      teamTimeout: r.teamTimeout ?? null,
      templateTimeout: r.templateTimeout ?? null,
      idle,
      deadline,
      movedByName,
      maxLifetimeMinutes,
      lifetimeSetAt,
      dailyStop,
      dailyStopSetAt,
      devboxDailyStop,
      teamDailyStop,
    };
  });
}

/**
 * The condition, for the stop's conditional UPDATE of `devboxes`, that nothing moved the deadline
 * since `s` was loaded: no activity after the one it was computed from, no "keep running" still
 * ahead, the same own and team timeout. A change in between makes the stop a no-op; the next pass decides
 * again from the new state.
 */
export function stillIdle(s: IdleState): SQL {
  const since = new Date(s.idle.stopAt!.getTime() - s.timeoutMinutes * IDLE_UNIT_MS).toISOString();
  return sql`NOT EXISTS (SELECT 1 FROM devbox_idle i WHERE i.devbox_id = ${devboxes.id} AND (
    i.last_activity_at > ${since}::timestamptz OR i.keep_until > now() OR i.timeout_minutes IS DISTINCT FROM ${s.devboxTimeout}::integer))
    AND NOT EXISTS (SELECT 1 FROM team_idle_settings t WHERE t.team_id = ${devboxes.teamId} AND t.timeout_minutes IS DISTINCT FROM ${s.teamTimeout}::integer)`;
}

/**
 * The condition, for the stop's conditional UPDATE of `devboxes`, that the deadline `s` was
 * stopped for still holds: for idle, `stillIdle`; for the lifetime and the daily stop, no start
 * or change of the devbox since (they count from it), the same setting in force, and (daily stop)
 * no "keep running" beyond the deadline. A change in between makes the stop a no-op.
 */
export function stillDue(s: IdleState): SQL {
  const cause = s.deadline.cause;
  if (cause === "idle" || cause === null) return stillIdle(s);
  // Timestamps only move forward (now()); +1 ms covers the microseconds the Date read lost.
  const notAfter = (column: SQL, at: Date | null) =>
    at ? sql`(${column} IS NULL OR ${column} < ${new Date(at.getTime() + 1).toISOString()}::timestamptz)` : sql`${column} IS NULL`;
  const unchanged = notAfter(sql`${devboxes.updatedAt}`, s.devbox.updatedAt);
  if (cause === "lifetime") {
    return sql`${unchanged} AND EXISTS (SELECT 1 FROM team_idle_settings t WHERE t.team_id = ${devboxes.teamId}
      AND t.max_lifetime_minutes = ${s.maxLifetimeMinutes}::integer AND ${notAfter(sql`t.max_lifetime_set_at`, s.lifetimeSetAt)})`;
  }
  const stop = s.dailyStop!;
  const notKept = sql`NOT EXISTS (SELECT 1 FROM devbox_idle k WHERE k.devbox_id = ${devboxes.id} AND k.keep_until > ${s.deadline.stopAt!.toISOString()}::timestamptz)`;
  const same =
    stop.source === "devbox"
      ? sql`EXISTS (SELECT 1 FROM devbox_idle i WHERE i.devbox_id = ${devboxes.id} AND i.daily_stop_time = ${stop.time} AND i.daily_stop_zone = ${stop.timeZone}
          AND ${notAfter(sql`i.daily_stop_set_at`, s.dailyStopSetAt)})`
      : sql`NOT EXISTS (SELECT 1 FROM devbox_idle i WHERE i.devbox_id = ${devboxes.id} AND i.daily_stop_time IS NOT NULL)
          AND EXISTS (SELECT 1 FROM team_idle_settings t WHERE t.team_id = ${devboxes.teamId} AND t.daily_stop_time = ${stop.time} AND t.daily_stop_zone = ${stop.timeZone}
          AND ${notAfter(sql`t.daily_stop_set_at`, s.dailyStopSetAt)})`;
  return sql`${unchanged} AND ${notKept} AND ${same}`;
}

export interface TeamAutoStop {
  timeoutMinutes: number | null;
  maxLifetimeMinutes: number | null;
  dailyStop: DailyStop | null;
}

export async function teamAutoStop(db: Database, teamId: string): Promise<TeamAutoStop> {
  const [row] = await db.select().from(teamIdleSettings).where(eq(teamIdleSettings.teamId, teamId));
  return { timeoutMinutes: row?.timeoutMinutes ?? null, maxLifetimeMinutes: row?.maxLifetimeMinutes ?? null, dailyStop: storedDailyStop(row?.dailyStopTime, row?.dailyStopZone) };
}
