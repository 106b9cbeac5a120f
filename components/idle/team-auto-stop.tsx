"use client";

import { useEffect, useState } from "react";
import { Card } from "@/components/ui/card";
import type { TeamIdleSettingsView } from "@/lib/idle/schemas";
import { DailyStopSelect } from "./daily-stop-select";
import { fetchTeamIdleSettings, setTeamIdleSettings } from "./idle-api";
import { formatMinutes, TimeoutSelect } from "./timeout-select";

const LIFETIMES = [120, 240, 480, 720, 1440, 4320, 10080];

/**
 * Team settings (admins): how the team's devboxes stop by themselves — after a time without
 * activity (each devbox may override it), at a maximum lifetime since their last start (a cap no
 * member can lift), and every day at a time in a zone (each devbox may override it).
 */
export function TeamAutoStop({ team, canEdit }: { team: string; canEdit: boolean }) {
  const [value, setValue] = useState<TeamIdleSettingsView | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetchTeamIdleSettings(team).then(setValue, (e: Error) => setError(e.message));
  }, [team]);
  const save = (patch: Partial<TeamIdleSettingsView>) => setTeamIdleSettings(team, patch).then((s) => (setValue(s), setError(null)), (e: Error) => setError(e.message));
  const lifetimes = value?.maxLifetimeMinutes && !LIFETIMES.includes(value.maxLifetimeMinutes) ? [...LIFETIMES, value.maxLifetimeMinutes].sort((a, b) => a - b) : LIFETIMES;
  return (
    <Card title="Automatic stop" description="Running devboxes are stopped by themselves (a snapshot is saved first, nothing is lost) at the first of these; open pages and terminals warn 5 minutes before.">
      {value !== undefined && (
        <div className="space-y-3 text-sm">
          <label className="flex flex-wrap items-center gap-2">
            Stop after
            <TimeoutSelect
              value={value.timeoutMinutes}
              inherited="each template's timeout (60 min by default)"
              disabled={!canEdit}
              testId="team-idle-timeout"
              onChange={(v) => save({ timeoutMinutes: v })}
            />
            without activity
          </label>
          <label className="flex flex-wrap items-center gap-2">
            Maximum lifetime
            <select
              className="min-w-0 max-w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
              value={value.maxLifetimeMinutes === null ? "" : String(value.maxLifetimeMinutes)}
              disabled={!canEdit}
              data-testid="team-max-lifetime"
              onChange={(e) => save({ maxLifetimeMinutes: e.target.value === "" ? null : Number(e.target.value) })}
            >
              <option value="">none</option>
              {lifetimes.map((m) => <option key={m} value={m}>{m >= 1440 && m % 1440 === 0 ? `${m / 1440} day${m === 1440 ? "" : "s"}` : formatMinutes(m)}</option>)}
            </select>
            after each start; “keep running” does not extend it
          </label>
          <div className="flex flex-wrap items-center gap-2">
            Daily stop
            <DailyStopSelect value={value.dailyStop} disabled={!canEdit} testId="team-daily-stop" onChange={(v) => save({ dailyStop: v === "never" ? null : v })} />
          </div>
          <p className="text-zinc-500">A devbox may set its own idle timeout and daily stop on its page; the maximum lifetime applies to every devbox of the team.</p>
        </div>
      )}
      {error && <p className="mt-2 text-sm text-red-600" role="alert">{error}</p>}
    </Card>
  );
}
