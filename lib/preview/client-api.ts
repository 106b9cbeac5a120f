/** The browser's typed calls to the preview/sharing REST API (no Node imports). */
import type { PreviewLevel } from "@/db/schema/preview-ports";
import { allPages } from "@/lib/api/client-pages";
import type { PortView, ShareLinkView } from "./schemas";

export class ApiError extends Error {}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: method === "GET" ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(json?.error?.message ?? `Request failed (${res.status}).`);
  return json as T;
}

const base = (team: string, devbox: string) => `/api/v1/teams/${encodeURIComponent(team)}/devboxes/${encodeURIComponent(devbox)}`;

export const previewApi = {
  ports: (team: string, devbox: string) => call<{ ports: PortView[] }>("GET", `${base(team, devbox)}/ports`),
  setLevel: (team: string, devbox: string, port: number, level: PreviewLevel) => call<PortView>("PUT", `${base(team, devbox)}/ports/${port}`, { level }),
  links: (team: string, devbox: string, port: number) =>
    allPages((url) => call<{ items: ShareLinkView[]; nextCursor: string | null }>("GET", url), `${base(team, devbox)}/ports/${port}/share-links`),
  createLink: (team: string, devbox: string, port: number, label: string, expiresInHours: number) =>
    call<ShareLinkView>("POST", `${base(team, devbox)}/ports/${port}/share-links`, { label, expiresInHours }),
  revokeLink: (team: string, devbox: string, id: string) => call<void>("DELETE", `${base(team, devbox)}/share-links/${id}`),
};
