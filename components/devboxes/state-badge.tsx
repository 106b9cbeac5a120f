import type { DevboxState } from "@/lib/devboxes/status";

const tone: Record<DevboxState, string> = {
  Running: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  Stopped: "bg-zinc-200 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
  Error: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  Creating: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  Starting: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  Restarting: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  Stopping: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  Deleting: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
};

const busy = new Set<DevboxState>(["Creating", "Starting", "Restarting", "Stopping", "Deleting"]);

export function StateBadge({ state, reason }: { state: DevboxState; reason?: string }) {
  return (
    <span
      data-testid="devbox-state"
      data-state={state}
      title={reason}
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ${tone[state]}`}
    >
      <span className={`h-1.5 w-1.5 rounded-full bg-current ${busy.has(state) ? "animate-pulse" : ""}`} aria-hidden />
      {state}
    </span>
  );
}
