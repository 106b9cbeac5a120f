import { apiCall } from "@/lib/api/browser-client";
import type { IdleStateView } from "@/lib/idle/schemas";

/** The idle auto-stop REST calls the pages make, typed, in one place. */
const base = (team: string, devbox: string) => `/api/v1/teams/${encodeURIComponent(team)}/devboxes/${encodeURIComponent(devbox)}/idle`;

export const fetchIdle = (team: string, devbox: string) => apiCall<IdleStateView>("GET", base(team, devbox));
export const keepRunning = (team: string, devbox: string) => apiCall<IdleStateView>("POST", `${base(team, devbox)}/keep-running`, {});
export const setDevboxTimeout = (team: string, devbox: string, timeoutMinutes: number | null) => apiCall<IdleStateView>("PUT", base(team, devbox), { timeoutMinutes });

const teamUrl = (team: string) => `/api/v1/teams/${encodeURIComponent(team)}/idle-settings`;
export const fetchTeamTimeout = (team: string) => apiCall<{ timeoutMinutes: number | null }>("GET", teamUrl(team));
export const setTeamTimeout = (team: string, timeoutMinutes: number | null) => apiCall<{ timeoutMinutes: number | null }>("PUT", teamUrl(team), { timeoutMinutes });
