import { apiCall } from "@/lib/api/browser-client";
import type { DailyStop } from "@/lib/idle/daily-stop";
import type { IdleStateView, TeamIdleSettingsView } from "@/lib/idle/schemas";

/** The automatic-stop REST calls the pages make (idle, maximum lifetime, daily stop), typed, in one place. */
const base = (team: string, devbox: string) => `/api/v1/teams/${encodeURIComponent(team)}/devboxes/${encodeURIComponent(devbox)}/idle`;

export const fetchIdle = (team: string, devbox: string) => apiCall<IdleStateView>("GET", base(team, devbox));
export const keepRunning = (team: string, devbox: string) => apiCall<IdleStateView>("POST", `${base(team, devbox)}/keep-running`, {});
export const setDevboxTimeout = (team: string, devbox: string, timeoutMinutes: number | null) => apiCall<IdleStateView>("PUT", base(team, devbox), { timeoutMinutes });
export const setDevboxDailyStop = (team: string, devbox: string, dailyStop: DailyStop | "never" | null) => apiCall<IdleStateView>("PUT", base(team, devbox), { dailyStop });

const teamUrl = (team: string) => `/api/v1/teams/${encodeURIComponent(team)}/idle-settings`;
export const fetchTeamIdleSettings = (team: string) => apiCall<TeamIdleSettingsView>("GET", teamUrl(team));
export const setTeamIdleSettings = (team: string, patch: Partial<TeamIdleSettingsView>) => apiCall<TeamIdleSettingsView>("PUT", teamUrl(team), patch);
