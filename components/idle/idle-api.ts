import type { IdleStateView } from "@/lib/idle/schemas";

/** The idle auto-stop REST calls the pages make, typed, in one place. */
const base = (team: string, devbox: string) => `/api/v1/teams/${encodeURIComponent(team)}/devboxes/${encodeURIComponent(devbox)}/idle`;

async function json<T>(r: Response): Promise<T> {
  if (r.ok) return (await r.json()) as T;
  const msg = (await r.json().catch(() => null))?.error?.message;
  throw new Error(msg ?? `Request failed (${r.status}).`);
}

const send = (method: string, body: unknown) => ({ method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

export const fetchIdle = (team: string, devbox: string) => fetch(base(team, devbox), { cache: "no-store" }).then((r) => json<IdleStateView>(r));
export const keepRunning = (team: string, devbox: string) => fetch(`${base(team, devbox)}/keep-running`, send("POST", {})).then((r) => json<IdleStateView>(r));
export const setDevboxTimeout = (team: string, devbox: string, timeoutMinutes: number | null) =>
  fetch(base(team, devbox), send("PUT", { timeoutMinutes })).then((r) => json<IdleStateView>(r));

const teamUrl = (team: string) => `/api/v1/teams/${encodeURIComponent(team)}/idle-settings`;
export const fetchTeamTimeout = (team: string) => fetch(teamUrl(team), { cache: "no-store" }).then((r) => json<{ timeoutMinutes: number | null }>(r));
export const setTeamTimeout = (team: string, timeoutMinutes: number | null) => fetch(teamUrl(team), send("PUT", { timeoutMinutes })).then((r) => json<{ timeoutMinutes: number | null }>(r));
