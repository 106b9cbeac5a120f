"use client";

import { useEffect, useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { isValidTime, isValidTimeZone, type DailyStop } from "@/lib/idle/daily-stop";

type Value = DailyStop | "never" | null;

const field = "min-w-0 rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900";

/**
 * A daily stop: a time of day and the IANA zone it is read in (the browser's zone by default).
 * `inherited` (a devbox) offers "the team's" (null) and "never"; without it (a team) "none" is null.
 * The zone list comes from the browser's Intl after mount, so the server's render matches.
 */
export function DailyStopSelect({ value, inherited, disabled, onChange, testId }: { value: Value; inherited?: string; disabled?: boolean; onChange: (v: Value) => void; testId: string }) {
  const set = value && value !== "never" ? value : null;
  const [mode, setMode] = useState<"inherit" | "never" | "at">(set ? "at" : value === "never" ? "never" : "inherit");
  const [time, setTime] = useState(set?.time ?? "20:00");
  const [zone, setZone] = useState(set?.timeZone ?? "UTC");
  const [zones, setZones] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const listId = useId();

  useEffect(() => {
    setZones(Intl.supportedValuesOf?.("timeZone") ?? []);
    if (!set) setZone(Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
    // Only on mount: later changes come from the user.
  }, []);

  const save = () => {
    if (!isValidTime(time)) return setError("A time of day as HH:MM.");
    if (!isValidTimeZone(zone)) return setError(`“${zone}” is not a time zone (e.g. Europe/Paris).`);
    setError(null);
    onChange({ time, timeZone: zone });
  };
  const dirty = !set || set.time !== time || set.timeZone !== zone;

  return (
    <span className="flex flex-wrap items-center gap-2" data-testid={testId}>
      <select
        className={field}
        value={mode}
        disabled={disabled}
        data-testid={`${testId}-mode`}
        onChange={(e) => {
          const m = e.target.value as typeof mode;
          setMode(m);
          setError(null);
          if (m === "inherit") onChange(null);
          if (m === "never") onChange("never");
        }}
      >
        <option value="inherit">{inherited ?? "none"}</option>
        {inherited !== undefined && <option value="never">never</option>}
        <option value="at">every day at…</option>
      </select>
      {mode === "at" && (
        <>
          <input type="time" className={field} value={time} disabled={disabled} onChange={(e) => setTime(e.target.value)} aria-label="Time of day" data-testid={`${testId}-time`} required />
          <input className={`${field} w-48`} value={zone} disabled={disabled} onChange={(e) => setZone(e.target.value.trim())} list={listId} aria-label="Time zone" data-testid={`${testId}-zone`} spellCheck={false} />
          <datalist id={listId}>{zones.map((z) => <option key={z} value={z} />)}</datalist>
          {dirty && (
            <Button variant="secondary" className="!px-2 !py-1" disabled={disabled} onClick={save} data-testid={`${testId}-save`}>
              Save
            </Button>
          )}
        </>
      )}
      {error && <span className="basis-full text-sm text-red-600" role="alert">{error}</span>}
    </span>
  );
}
