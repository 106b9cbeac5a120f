import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import type { Team } from "@/db/schema/teams";
import { recordAudit } from "@/lib/audit/record";
import { announceDevboxChange } from "@/lib/devboxes/change-bus";
import { AppError, notFound } from "@/lib/errors";
import { IDLE_UNIT_MS, KEEP_RUNNING_MINUTES } from "./clock";
import { describeMover } from "./deadline";
import { loadIdleStates, type IdleState } from "./queries";
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
    movedBy: { kind: d.movedBy.kind, at: d.movedBy.at.toISOString(), by: s.movedByName },
    reason: describeMover(d.movedBy, s.movedByName),
    unitMs: IDLE_UNIT_MS,
  };
}

export async function devboxIdleState(db: Database, devboxId: string): Promise<IdleState> {
  const [s] = await loadIdleStates(db, [devboxId]);
  if (!s) throw notFound("Devbox");
  return s;
}

/** The devbox's own timeout (null = inherit from team / template). Audited. */
export async function setDevboxIdleTimeout(db: Database, team: Pick<Team, "id">, actorId: string, devbox: { id: string; name: string }, timeoutMinutes: number | null): Promise<IdleState> {
  await db.execute(sql`
    INSERT INTO devbox_idle (devbox_id, timeout_minutes, updated_at) VALUES (${devbox.id}, ${timeoutMinutes}, now())
    ON CONFLICT (devbox_id) DO UPDATE SET timeout_minutes = excluded.timeout_minutes, updated_at = now()`);
  await recordAudit(db, { actorId, teamId: team.id, action: "devbox.idle_timeout", target: devbox.name, details: { timeoutMinutes } });
  announceDevboxChange(devbox.id);
  return devboxIdleState(db, devbox.id);
}

/** The team's timeout for all its devboxes (null = each template's). Audited. */
export async function setTeamIdleTimeout(db: Database, team: Pick<Team, "id" | "slug">, actorId: string, timeoutMinutes: number | null): Promise<void> {
  await db.execute(sql`
    INSERT INTO team_idle_settings (team_id, timeout_minutes, updated_at) VALUES (${team.id}, ${timeoutMinutes}, now())
    ON CONFLICT (team_id) DO UPDATE SET timeout_minutes = excluded.timeout_minutes, updated_at = now()`);
  await recordAudit(db, { actorId, teamId: team.id, action: "team.idle_timeout", target: team.slug, details: { timeoutMinutes } });
}

/**
 * "Keep running for 2 h": the deadline becomes at least now + 2 h (it never moves back: a
 * second click from another tab changes nothing). Audited.
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
