import type { z } from "zod";
import type { createAppBody, updateAppBody } from "@/lib/apps/schemas";
import type { AppView } from "@/lib/apps/view";
import type { ReleaseView } from "@/lib/releases/view";
import { allPages, apiCall as call } from "@/lib/api/browser-client";

/** The dashboard's own calls to the releases and apps REST API (same origin, JSON: passes the CSRF check). */
const box = (team: string, devbox: string) => `/api/v1/teams/${team}/devboxes/${encodeURIComponent(devbox)}/releases`;
const app = (team: string, name?: string) => `/api/v1/teams/${team}/apps${name ? `/${encodeURIComponent(name)}` : ""}`;

export const api = {
  releases: (team: string, devbox: string) => allPages<ReleaseView>(box(team, devbox)),
  createRelease: (team: string, devbox: string, body: { tag: string; notes: string; entrypoint?: string[] }) => call<ReleaseView>("POST", box(team, devbox), body),
  deleteRelease: (team: string, devbox: string, tag: string) => call<void>("DELETE", `${box(team, devbox)}/${encodeURIComponent(tag)}`),
  forkRelease: (team: string, devbox: string, tag: string, name: string) => call<{ name: string }>("POST", `${box(team, devbox)}/${encodeURIComponent(tag)}/forks`, { name }),
  apps: (team: string) => allPages<AppView>(app(team)),
  app: (team: string, name: string) => call<AppView>("GET", app(team, name)),
  createApp: (team: string, body: z.input<typeof createAppBody>) => call<AppView>("POST", app(team), body),
  updateApp: (team: string, name: string, body: z.input<typeof updateAppBody>) => call<AppView>("PATCH", app(team, name), body),
  rollbackApp: (team: string, name: string) => call<AppView>("POST", `${app(team, name)}/rollbacks`),
  deleteApp: (team: string, name: string) => call<void>("DELETE", app(team, name)),
  logs: (team: string, name: string, pod: string, tail: number) => call<string>("GET", `${app(team, name)}/logs?pod=${encodeURIComponent(pod)}&tail=${tail}`),
};
