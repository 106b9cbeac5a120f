/** The browser's typed calls to the preview/sharing REST API (no Node imports). */
import type { PreviewLevel } from "@/db/schema/preview-ports";
import { allPages, apiCall as call } from "@/lib/api/browser-client";
import type { PortView, ShareLinkView } from "./schemas";

const base = (team: string, devbox: string) => `/api/v1/teams/${encodeURIComponent(team)}/devboxes/${encodeURIComponent(devbox)}`;

export const previewApi = {
  ports: (team: string, devbox: string) => call<{ ports: PortView[] }>("GET", `${base(team, devbox)}/ports`),
  setLevel: (team: string, devbox: string, port: number, level: PreviewLevel) => call<PortView>("PUT", `${base(team, devbox)}/ports/${port}`, { level }),
  links: (team: string, devbox: string, port: number) =>
    allPages<ShareLinkView>(`${base(team, devbox)}/ports/${port}/share-links`),
  createLink: (team: string, devbox: string, port: number, label: string, expiresInHours: number) =>
    call<ShareLinkView>("POST", `${base(team, devbox)}/ports/${port}/share-links`, { label, expiresInHours }),
  revokeLink: (team: string, devbox: string, id: string) => call<void>("DELETE", `${base(team, devbox)}/share-links/${id}`),
};
