import type { AppView } from "@/lib/apps/view";

const tone: Record<AppView["status"]["state"], string> = {
  Ready: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/40 dark:text-emerald-300",
  Progressing: "bg-amber-100 text-amber-800 dark:bg-amber-900/40 dark:text-amber-300",
  Degraded: "bg-red-100 text-red-800 dark:bg-red-900/40 dark:text-red-300",
  Stopped: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
  Missing: "bg-red-100 text-red-800 dark:bg-red-900/40 dark:text-red-300",
};

export function AppStateBadge({ state }: { state: AppView["status"]["state"] }) {
  return <span className={`rounded px-2 py-0.5 text-xs font-medium ${tone[state]}`} data-testid="app-state" data-state={state}>{state}</span>;
}
