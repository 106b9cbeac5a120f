"use client";

import { useCallback, useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { IdleStateView } from "@/lib/idle/schemas";
import { fetchIdle, keepRunning, setDevboxTimeout } from "./idle-api";
import { formatMinutes, TimeoutSelect } from "./timeout-select";

function remaining(ms: number): string {
  if (ms <= 0) return "now";
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * The devbox's idle deadline and why it last moved; in the last minutes a warning with "keep
 * running for 2 h". Refreshed by polling (the deadline moves with activity seen on any replica).
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
    <Card title="Idle auto-stop">
      {warning && (
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200" role="alert" data-testid="idle-warning">
          <span>No activity: this devbox stops in {remaining(stopAt.getTime() - now)} (a snapshot is saved first).</span>
          {canEdit && (
            <Button variant="secondary" disabled={busy} onClick={() => act(keepRunning(team, devbox))} data-testid="idle-keep-running">
              Keep running for 2 h
            </Button>
          )}
        </div>
      )}
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-zinc-500">Stops</dt>
        <dd data-testid="idle-deadline" data-stop-at={state.stopAt ?? ""}>
          {stopAt ? (
            <>
              at <time dateTime={state.stopAt!}>{stopAt.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" })} UTC</time> if idle (in {remaining(stopAt.getTime() - now)})
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
      </dl>
      {canEdit && !warning && stopAt && (
        <Button className="mt-3" variant="secondary" disabled={busy} onClick={() => act(keepRunning(team, devbox))} data-testid="idle-keep-running">
          Keep running for 2 h
        </Button>
      )}
      {error && <p className="mt-2 text-sm text-red-600" role="alert">{error}</p>}
    </Card>
  );
}
