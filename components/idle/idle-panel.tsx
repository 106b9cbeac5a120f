"use client";

import { useCallback, useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { IdleStateView } from "@/lib/idle/schemas";
import { DailyStopSelect } from "./daily-stop-select";
import { fetchIdle, keepRunning, setDevboxDailyStop, setDevboxTimeout } from "./idle-api";
import { formatMinutes, TimeoutSelect } from "./timeout-select";

function remaining(ms: number): string {
  if (ms <= 0) return "now";
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

const hhmm = (d: Date) => d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

/** The warning's first words, by what stops the devbox. */
function warningText(s: IdleStateView, left: string): string {
  const when = `this devbox stops in ${left} (a snapshot is saved first)`;
  if (s.cause === "lifetime") return `The team's maximum lifetime (${formatMinutes(s.maxLifetimeMinutes ?? 0)}) is reached: ${when}. Start it again to go on.`;
  if (s.cause === "schedule") return `${s.why[0].toUpperCase()}${s.why.slice(1)}: ${when}.`;
  return `No activity: ${when}.`;
}

/**
 * The devbox's next automatic stop — the earliest of its idle deadline, the team's maximum
 * lifetime and its daily stop — with why, and what last moved it; in the last minutes a warning
 * with "keep running for 2 h" (not for the lifetime, which no member can lift). Refreshed by
 * polling (the deadline moves with activity seen on any replica).
 */
export function IdlePanel({ team, devbox, initial, canEdit }: { team: string; devbox: string; initial: IdleStateView; canEdit: boolean }) {
  const [state, setState] = useState(initial);
  const [now, setNow] = useState(() => Date.now());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = useCallback(() => fetchIdle(team, devbox).then(setState, () => {}), [team, devbox]);

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    const poll = setInterval(refresh, Math.min(15_000, Math.max(1_000, state.unitMs / 4)));
    return () => (clearInterval(tick), clearInterval(poll));
  }, [refresh, state.unitMs]);

  if (!state.running) return null;
  const stopAt = state.stopAt ? new Date(state.stopAt) : null;
  const warning = stopAt && state.warnAt && now >= new Date(state.warnAt).getTime();
  const inherited = `${state.timeoutSource === "devbox" ? "inherit" : "inherited"}: ${formatMinutes(state.teamTimeoutMinutes ?? state.templateTimeoutMinutes ?? 60)}`;
  const act = (p: Promise<IdleStateView>) => {
    setBusy(true);
    p.then((s) => (setState(s), setError(null)), (e: Error) => setError(e.message)).finally(() => setBusy(false));
  };

  return (
    <Card title="Automatic stop">
      {warning && (
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200" role="alert" data-testid="idle-warning" data-cause={state.cause ?? ""}>
          <span>{warningText(state, remaining(stopAt.getTime() - now))}</span>
          {canEdit && state.keepable && (
            <Button variant="secondary" disabled={busy} onClick={() => act(keepRunning(team, devbox))} data-testid="idle-keep-running">
              Keep running for 2 h
            </Button>
          )}
        </div>
      )}
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-zinc-500">Stops</dt>
        <dd data-testid="idle-deadline" data-stop-at={state.stopAt ?? ""} data-cause={state.cause ?? ""}>
          {stopAt ? (
            <>
              at <time dateTime={state.stopAt!}>{hhmm(stopAt)} UTC</time> {state.cause === "idle" ? "if idle" : `— ${state.why}`} (in {remaining(stopAt.getTime() - now)})
            </>
          ) : (
            "never (no idle timeout)"
          )}
        </dd>
        <dt className="text-zinc-500">Last moved by</dt>
        <dd data-testid="idle-reason">{state.reason}</dd>
        <dt className="text-zinc-500">Timeout</dt>
        <dd>
          <TimeoutSelect
            value={state.devboxTimeoutMinutes}
            inherited={inherited}
            disabled={!canEdit || busy}
            testId="devbox-idle-timeout"
            onChange={(v) => act(setDevboxTimeout(team, devbox, v))}
          />
        </dd>
        <dt className="text-zinc-500">Daily stop</dt>
        <dd>
          <DailyStopSelect
            value={state.devboxDailyStop}
            inherited={state.teamDailyStop ? `the team's: ${state.teamDailyStop.time} ${state.teamDailyStop.timeZone}` : "the team's: none"}
            disabled={!canEdit || busy}
            testId="devbox-daily-stop"
            onChange={(v) => act(setDevboxDailyStop(team, devbox, v))}
          />
        </dd>
        <dt className="text-zinc-500">Maximum lifetime</dt>
        <dd data-testid="devbox-max-lifetime">{state.maxLifetimeMinutes ? `${formatMinutes(state.maxLifetimeMinutes)} after each start (team setting)` : "none"}</dd>
      </dl>
      {canEdit && !warning && stopAt && state.keepable && (
        <Button className="mt-3" variant="secondary" disabled={busy} onClick={() => act(keepRunning(team, devbox))} data-testid="idle-keep-running">
          Keep running for 2 h
        </Button>
      )}
      {error && <p className="mt-2 text-sm text-red-600" role="alert">{error}</p>}
    </Card>
  );
}
