import { apiCall } from "@/lib/api/browser-client";
import type { DevboxUsageView, TeamUsageView } from "@/lib/usage/schemas";

/** The usage REST calls the pages make, typed, in one place. */
export const fetchDevboxUsage = (team: string, devbox: string, window: "hour" | "day") =>
  apiCall<DevboxUsageView>("GET", `/api/v1/teams/${encodeURIComponent(team)}/devboxes/${encodeURIComponent(devbox)}/usage?window=${window}`);

export const fetchTeamUsage = (team: string) => apiCall<TeamUsageView>("GET", `/api/v1/teams/${encodeURIComponent(team)}/usage`);
