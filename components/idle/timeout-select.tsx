"use client";

const CHOICES = [15, 30, 60, 120, 240, 480, 1440];

export function formatMinutes(m: number): string {
  if (m === 0) return "never";
  return m % 60 === 0 ? `${m / 60} h` : `${m} min`;
}

/** An idle timeout: inherit (the value shown), a number of minutes, or never (0). */
export function TimeoutSelect({ value, inherited, disabled, onChange, testId }: { value: number | null; inherited: string; disabled?: boolean; onChange: (v: number | null) => void; testId: string }) {
  const choices = value !== null && value !== 0 && !CHOICES.includes(value) ? [...CHOICES, value].sort((a, b) => a - b) : CHOICES;
  return (
    <select
      className="min-w-0 max-w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
      value={value === null ? "" : String(value)}
      disabled={disabled}
      data-testid={testId}
      onChange={(e) => onChange(e.target.value === "" ? null : Number(e.target.value))}
    >
      <option value="">{inherited}</option>
      {choices.map((m) => <option key={m} value={m}>{formatMinutes(m)}</option>)}
      <option value="0">never</option>
    </select>
  );
}
