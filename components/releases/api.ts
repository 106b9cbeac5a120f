import type { AppView } from "@/lib/apps/view";
import type { ReleaseView } from "@/lib/releases/view";

/** The dashboard's own calls to the releases and apps REST API (same origin, JSON: passes the CSRF check). */
export class ApiError extends Error {}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, { method, headers: { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  if (res.status === 204) return undefined as T;
  const type = res.headers.get("content-type") ?? "";
  const data = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError((data as { error?: { message?: string } })?.error?.message ?? `HTTP ${res.status}`);
  return data as T;
}

/** Every item of a paged list (lib/api/pagination.ts): the pages hold up to 200 each. */
async function allPages<T>(url: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: T[]; nextCursor: string | null } = await call("GET", `${url}?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

const box = (team: string, devbox: string) => `/api/v1/teams/${team}/devboxes/${encodeURIComponent(devbox)}/releases`;
const app = (team: string, name?: string) => `/api/v1/teams/${team}/apps${name ? `/${encodeURIComponent(name)}` : ""}`;

export const api = {
  releases: (team: string, devbox: string) => allPages<ReleaseView>(box(team, devbox)),
  createRelease: (team: string, devbox: string, body: { tag: string; notes: string; entrypoint?: string[] }) => call<ReleaseView>("POST", box(team, devbox), body),
  deleteRelease: (team: string, devbox: string, tag: string) => call<void>("DELETE", `${box(team, devbox)}/${encodeURIComponent(tag)}`),
  forkRelease: (team: string, devbox: string, tag: string, name: string) => call<{ name: string }>("POST", `${box(team, devbox)}/${encodeURIComponent(tag)}/forks`, { name }),
  apps: (team: string) => allPages<AppView>(app(team)),
  app: (team: string, name: string) => call<AppView>("GET", app(team, name)),
  createApp: (team: string, body: { name: string; release: { devbox: string; tag: string }; replicas: number }) => call<AppView>("POST", app(team), body),
  updateApp: (team: string, name: string, body: { release?: { devbox: string; tag: string }; replicas?: number }) => call<AppView>("PATCH", app(team, name), body),
  rollbackApp: (team: string, name: string) => call<AppView>("POST", `${app(team, name)}/rollbacks`),
  deleteApp: (team: string, name: string) => call<void>("DELETE", app(team, name)),
  logs: (team: string, name: string, pod: string, tail: number) => call<string>("GET", `${app(team, name)}/logs?pod=${encodeURIComponent(pod)}&tail=${tail}`),
};
