import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import type { Team } from "@/db/schema/teams";
import { recordAudit } from "@/lib/audit/record";
import { announceDevboxChange } from "@/lib/devboxes/change-bus";
import { AppError, notFound } from "@/lib/errors";
import { IDLE_UNIT_MS, KEEP_RUNNING_MINUTES } from "./clock";
import { describeMover } from "./deadline";
import type { DailyStop } from "./daily-stop";
import { loadIdleStates, teamAutoStop, type IdleState, type TeamAutoStop } from "./queries";
import type { IdleStateView } from "./schemas";

export function idleView(s: IdleState): IdleStateView {
  const d = s.deadline;
  return {
    running: s.devbox.desiredState === "running",
    timeoutMinutes: s.timeoutMinutes,
    timeoutSource: s.timeoutSource,
    devboxTimeoutMinutes: s.devboxTimeout,
    teamTimeoutMinutes: s.teamTimeout,
    templateTimeoutMinutes: s.templateTimeout,
    stopAt: d.stopAt?.toISOString() ?? null,
    warnAt: d.warnAt?.toISOString() ?? null,
    cause: d.cause,
    why: d.why,
    keepable: d.keepable,
    idleStopAt: s.idle.stopAt?.toISOString() ?? null,
    movedBy: { kind: d.movedBy.kind, at: d.movedBy.at.toISOString(), by: s.movedByName },
    reason: describeMover(d.movedBy, s.movedByName),
    maxLifetimeMinutes: s.maxLifetimeMinutes,
    dailyStop: s.dailyStop,
    devboxDailyStop: s.devboxDailyStop,
    teamDailyStop: s.teamDailyStop,
    unitMs: IDLE_UNIT_MS,
  };
}

export async function devboxIdleState(db: Database, devboxId: string): Promise<IdleState> {
  const [s] = await loadIdleStates(db, [devboxId]);
  if (!s) throw notFound("Devbox");
  return s;
}

export interface DevboxIdleSettings {
  /** null = inherit from team / template; 0 = never. */
  timeoutMinutes?: number | null;
  /** null = the team's; "never" = none whatever the team says. */
  dailyStop?: DailyStop | "never" | null;
}

/** The devbox's own idle timeout and daily stop (fields left out stay as they are). Each change is audited. */
export async function setDevboxIdleSettings(db: Database, team: Pick<Team, "id">, actorId: string, devbox: { id: string; name: string }, patch: DevboxIdleSettings): Promise<IdleState> {
  if (patch.timeoutMinutes !== undefined) {
    const timeoutMinutes = patch.timeoutMinutes;
    await db.execute(sql`
      INSERT INTO devbox_idle (devbox_id, timeout_minutes, updated_at) VALUES (${devbox.id}, ${timeoutMinutes}, now())
      ON CONFLICT (devbox_id) DO UPDATE SET timeout_minutes = excluded.timeout_minutes, updated_at = now()`);
    await recordAudit(db, { actorId, teamId: team.id, action: "devbox.idle_timeout", target: devbox.name, details: { timeoutMinutes } });
  }
  if (patch.dailyStop !== undefined) {
    const d = patch.dailyStop;
    const time = d === "never" ? "never" : (d?.time ?? null);
    const zone = d && d !== "never" ? d.timeZone : null;
    await db.execute(sql`
      INSERT INTO devbox_idle (devbox_id, daily_stop_time, daily_stop_zone, daily_stop_set_at, updated_at) VALUES (${devbox.id}, ${time}, ${zone}, now(), now())
      ON CONFLICT (devbox_id) DO UPDATE SET daily_stop_time = excluded.daily_stop_time, daily_stop_zone = excluded.daily_stop_zone, daily_stop_set_at = now(), updated_at = now()`);
    await recordAudit(db, { actorId, teamId: team.id, action: "devbox.daily_stop", target: devbox.name, details: { dailyStop: d } });
  }
  announceDevboxChange(devbox.id);
  return devboxIdleState(db, devbox.id);
}

/** The devbox's own timeout (null = inherit from team / template). Audited. */
export function setDevboxIdleTimeout(db: Database, team: Pick<Team, "id">, actorId: string, devbox: { id: string; name: string }, timeoutMinutes: number | null): Promise<IdleState> {
  return setDevboxIdleSettings(db, team, actorId, devbox, { timeoutMinutes });
}

/**
 * The team's automatic stops for all its devboxes (fields left out stay as they are): idle timeout
 * (null = each template's), maximum lifetime (null = none), daily stop (null = none). Each change
 * is audited.
 */
export async function setTeamIdleSettings(db: Database, team: Pick<Team, "id" | "slug">, actorId: string, patch: Partial<TeamAutoStop>): Promise<TeamAutoStop> {
  const cur = await teamAutoStop(db, team.id);
  const next = { ...cur, ...patch };
  await db.execute(sql`
    INSERT INTO team_idle_settings (team_id, timeout_minutes, max_lifetime_minutes, max_lifetime_set_at, daily_stop_time, daily_stop_zone, daily_stop_set_at, updated_at)
    VALUES (${team.id}, ${next.timeoutMinutes}, ${next.maxLifetimeMinutes}, now(), ${next.dailyStop?.time ?? null}, ${next.dailyStop?.timeZone ?? null}, now(), now())
    ON CONFLICT (team_id) DO UPDATE SET
      timeout_minutes = ${patch.timeoutMinutes !== undefined ? sql`excluded.timeout_minutes` : sql`team_idle_settings.timeout_minutes`},
      max_lifetime_minutes = ${patch.maxLifetimeMinutes !== undefined ? sql`excluded.max_lifetime_minutes` : sql`team_idle_settings.max_lifetime_minutes`},
      max_lifetime_set_at = ${patch.maxLifetimeMinutes !== undefined ? sql`now()` : sql`team_idle_settings.max_lifetime_set_at`},
      daily_stop_time = ${patch.dailyStop !== undefined ? sql`excluded.daily_stop_time` : sql`team_idle_settings.daily_stop_time`},
      daily_stop_zone = ${patch.dailyStop !== undefined ? sql`excluded.daily_stop_zone` : sql`team_idle_settings.daily_stop_zone`},
      daily_stop_set_at = ${patch.dailyStop !== undefined ? sql`now()` : sql`team_idle_settings.daily_stop_set_at`},
      updated_at = now()`);
  const audit = (action: string, details: Record<string, unknown>) => recordAudit(db, { actorId, teamId: team.id, action, target: team.slug, details });
  if (patch.timeoutMinutes !== undefined) await audit("team.idle_timeout", { timeoutMinutes: patch.timeoutMinutes });
  if (patch.maxLifetimeMinutes !== undefined) await audit("team.max_lifetime", { maxLifetimeMinutes: patch.maxLifetimeMinutes });
  if (patch.dailyStop !== undefined) await audit("team.daily_stop", { dailyStop: patch.dailyStop });
  return teamAutoStop(db, team.id);
}

/** The team's timeout for all its devboxes (null = each template's). Audited. */
export async function setTeamIdleTimeout(db: Database, team: Pick<Team, "id" | "slug">, actorId: string, timeoutMinutes: number | null): Promise<void> {
  await setTeamIdleSettings(db, team, actorId, { timeoutMinutes });
}

/**
 * "Keep running for 2 h": the idle deadline, and a daily stop due before it, become at least
 * now + 2 h (it never moves back: a second click from another tab changes nothing). It does not
 * lift the team's maximum lifetime: that is the admins' cap (lib/idle/README.md). Audited.
 */
export async function keepRunning(db: Database, team: Pick<Team, "id">, actorId: string, devbox: { id: string; name: string; desiredState: string }): Promise<IdleState> {
  if (devbox.desiredState !== "running") throw new AppError("conflict", "The devbox is not running.");
  const until = new Date(Date.now() + KEEP_RUNNING_MINUTES * IDLE_UNIT_MS).toISOString();
  await db.execute(sql`
    INSERT INTO devbox_idle (devbox_id, keep_until, keep_by, updated_at) VALUES (${devbox.id}, ${until}::timestamptz, ${actorId}, now())
    ON CONFLICT (devbox_id) DO UPDATE SET keep_until = excluded.keep_until, keep_by = excluded.keep_by, updated_at = now()
    WHERE devbox_idle.keep_until IS NULL OR devbox_idle.keep_until < excluded.keep_until`);
  await recordAudit(db, { actorId, teamId: team.id, action: "devbox.keep_running", target: devbox.name, details: { until } });
  announceDevboxChange(devbox.id);
  return devboxIdleState(db, devbox.id);
}
