import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { createProxyServer } from "http-proxy-3";
import { getDb } from "@/db/client";
import { sessionFromCookieHeader, parseCookies } from "@/lib/auth/ws-session";
import { dashboardOrigin, safeCallbackPath } from "@/lib/auth/callback-url";
import { authorizePreview, type PreviewCredentials, type PreviewVerdict } from "@/lib/authz/preview-access";
import { podName } from "@/lib/devboxes/k8s-objects";
import { deriveStatus } from "@/lib/devboxes/status";
import { isTrustedHost, isTrustedOrigin } from "@/lib/http/trusted-origins";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { recordAudit } from "@/lib/audit/record";
import { AUTH_PATH, SHARE_PARAM, appsConfig, appsLabelOf, parseLabel, parsePreviewPath, type PreviewTarget } from "@/lib/preview/host";
import { PAGES, page } from "@/lib/preview/pages";
import { claimCode, findShareLink } from "@/lib/preview/queries";
import { findDevboxById } from "@/lib/devboxes/queries";
import { recordActivity } from "@/lib/idle/activity";
import { BurstGate } from "@/lib/idle/burst-gate";
import { startDevbox } from "@/lib/devboxes/service";
import { previewSockets } from "@/lib/preview/socket-registry";
import { APPS_SESSION_TTL_MS, signAppsSession, verifyAppsSession, verifyShareLink } from "@/lib/preview/tokens";
import { roleAtLeast } from "@/lib/teams/roles";

/**
 * The preview proxy: devbox ports on `<port>--<devbox>--<team>.<apps domain>` (and the path
 * fallback `/p/<team>/<devbox>/<port>/` on the dashboard's host), served by this process BEFORE
 * Next.js and the Host guard. Every request and websocket is authorized (lib/authz/preview-access.ts)
 * and then streamed both ways by http-proxy-3 to the devbox's Pod IP (nothing is buffered; the
 * node reaches pods through the team's NetworkPolicy, see lib/k8s/team-network-policy.ts).
 *
 * Identity on an apps host is its own host-only cookie, obtained through a hand-off with the
 * dashboard (app/preview-auth/route.ts → /__devbox/auth?code=…): the dashboard's cookie is never
 * sent to an app host and our cookies are stripped before a request reaches the app.
 */
export const APPS_COOKIE = "devbox_preview";
export const LINK_COOKIE = "devbox_link";


const DASHBOARD_COOKIE_RE = /^(__Secure-|__Host-)?next-auth\./;

// Keep-alive towards pods: one pool for every devbox (sockets are per Pod IP:port anyway).
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 512 });
const proxy = createProxyServer({ xfwd: true, agent });
proxy.on("error", (err, _req, res) => {
  if (res instanceof http.ServerResponse) {
    if (!res.headersSent) html(res, PAGES.unreachable.status, page(PAGES.unreachable.title, PAGES.unreachable.body));
    else res.destroy();
  } else (res as Duplex).destroy();
  if ((err as NodeJS.ErrnoException).code !== "ECONNREFUSED" && (err as NodeJS.ErrnoException).code !== "ECONNRESET")
    console.error("[devbox] preview proxy:", err.message);
});

/** The CSP of every path-fallback response: the app's pages get an opaque origin. */
export const PATH_MODE_CSP = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads";

// Path-fallback requests, whose app answers on the dashboard's own origin.
const onDashboardOrigin = new WeakSet<IncomingMessage>();

/**
 * On the dashboard's origin the app's response headers are ours to police, after the app sent
 * them (http-proxy-3 copies them over anything set before): our sandbox CSP replaces the app's own
 * (which would otherwise lift the sandbox and let the page read the dashboard and call its API
 * with the user's cookies), Clear-Site-Data could sign the user out, and a cookie named like the
 * dashboard's or ours could plant a session (sign the user in as someone else).
 */
proxy.on("proxyRes", (proxyRes, req) => {
  if (!onDashboardOrigin.has(req)) return;
  const h = proxyRes.headers;
  h["content-security-policy"] = PATH_MODE_CSP;
  delete h["content-security-policy-report-only"];
  delete h["clear-site-data"];
  if (h["set-cookie"])
    h["set-cookie"] = h["set-cookie"].filter((c) => {
      const name = c.slice(0, c.indexOf("=")).trim();
      return !DASHBOARD_COOKIE_RE.test(name) && name !== APPS_COOKIE && name !== LINK_COOKIE;
    });
});

type Where =
  | { mode: "host"; label: string; target: PreviewTarget | null; path: string }
  | { mode: "path"; target: PreviewTarget; prefix: string; rest: string; needsSlash: boolean; path: string };

/** Which preview a request is for, or null when it is the dashboard's. */
export function previewWhere(req: IncomingMessage): Where | null {
  const url = req.url ?? "/";
  // The dashboard's own host names are never an app's, whatever the apps domain is set to.
  const label = isTrustedHost(req.headers.host) ? null : appsLabelOf(req.headers.host);
  if (label) return { mode: "host", label, target: parseLabel(label), path: url };
  if (url.startsWith("/p/") && isTrustedHost(req.headers.host)) {
    const p = parsePreviewPath(url);
    if (!p) return null;
    return { mode: "path", target: { kind: "names", port: p.port, team: p.team, devbox: p.devbox }, prefix: p.prefix, rest: p.rest, needsSlash: p.needsSlash, path: url };
  }
  return null;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Another app on the apps domain is "same site" (`a.localhost` and `b.localhost`), so the
 * browser sends this host's SameSite=Lax cookie with its requests: websockets (which CORS does
 * not protect) and unsafe methods from another origin are refused. Without an Origin (not a
 * browser, or a same-origin GET) the request goes on.
 */
function foreignOrigin(req: IncomingMessage, where: Where, websocket: boolean): boolean {
  if (where.mode !== "host") return false;
  const origin = req.headers.origin;
  if (!origin || (!websocket && !UNSAFE.has(req.method ?? ""))) return false;
  try {
    return new URL(origin).host !== (req.headers.host ?? "").toLowerCase();
  } catch {
    return true;
  }
}

function html(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", ...headers }).end(body);
}

function cookieAttrs(path: string, maxAgeSeconds: number): string {
  const secure = appsConfig().protocol === "https:" ? "; Secure" : "";
  return `Path=${path}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly; SameSite=Lax${secure}`;
}

function credentials(req: IncomingMessage, where: Where): Promise<PreviewCredentials> | PreviewCredentials {
  const cookies = parseCookies(req.headers.cookie);
  const linkId = verifyShareLink(cookies.get(LINK_COOKIE));
  if (where.mode === "host") {
    const s = verifyAppsSession(cookies.get(APPS_COOKIE), where.label);
    return { session: s && { userId: s.userId, sessionVersion: s.sessionVersion, sessionId: s.sessionId }, linkId };
  }
  return sessionFromCookieHeader(req.headers.cookie).then((session) => ({ session, linkId }));
}

/** Our cookies (and on the dashboard host, the dashboard's) never reach the app. */
function stripOwnCookies(req: IncomingMessage, where: Where): void {
  const header = req.headers.cookie;
  if (!header) return;
  const kept = header
    .split(";")
    .map((c) => c.trim())
    .filter((c) => {
      const name = c.slice(0, c.indexOf("=")).trim();
      if (name === APPS_COOKIE || name === LINK_COOKIE) return false;
      return !(where.mode === "path" && DASHBOARD_COOKIE_RE.test(name));
    });
  if (kept.length) req.headers.cookie = kept.join("; ");
  else delete req.headers.cookie;
}

function prepareForward(req: IncomingMessage, where: Where): void {
  stripOwnCookies(req, where);
  // What the client claims about earlier hops is not passed on unless we sit behind a trusted proxy.
  if (process.env.DEVBOX_TRUST_PROXY !== "1") for (const h of ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-prefix"]) delete req.headers[h];
  if (where.mode === "path") {
    req.url = where.rest;
    req.headers["x-forwarded-prefix"] = where.prefix;
  }
}

function podTarget(v: PreviewVerdict): { ip: string; running: boolean; state: string } {
  const status = deriveStatus(v.devbox!, devboxPodCache().podsOf(v.devbox!.id));
  const running = status.state === "Running" && status.podName === podName(v.devbox!) && !!status.podIP;
  return { ip: status.podIP ?? "", running, state: status.state };
}

function signinUrl(req: IncomingMessage, where: Where): string {
  if (where.mode === "path") return `/login?callbackUrl=${encodeURIComponent(where.path)}`;
  return `${dashboardOrigin()}/preview-auth?host=${encodeURIComponent(where.label)}&path=${encodeURIComponent(req.url ?? "/")}`;
}

/** Answers a preview HTTP request; returns false when the request is the dashboard's. */
export function handlePreviewRequest(req: IncomingMessage, res: ServerResponse): boolean {
  const where = previewWhere(req);
  if (!where) return false;
  serveHttp(req, res, where).catch((err) => {
    console.error("[devbox] preview request failed:", err);
    if (!res.headersSent) html(res, 500, page("Something went wrong", "The error has been logged."));
    else res.destroy();
  });
  return true;
}

async function serveHttp(req: IncomingMessage, res: ServerResponse, where: Where): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  if (where.mode === "path" && where.needsSlash) {
    res.writeHead(308, { Location: `${where.prefix}/${url.search}` }).end();
    return;
  }
  if (!where.target) return void html(res, 404, page(PAGES.not_found.title, PAGES.not_found.body));
  const db = await getDb();

  if (where.mode === "host" && url.pathname === AUTH_PATH) return exchangeCode(req, res, where, url);

  // A share link opened: keep it as this host's (or path's) cookie and drop it from the address bar.
  const shared = url.searchParams.get(SHARE_PARAM);
  if (shared !== null) {
    url.searchParams.delete(SHARE_PARAM);
    const cookiePath = where.mode === "path" ? `${where.prefix}/` : "/";
    const location = `${url.pathname}${url.search}`;
    const linkId = verifyShareLink(shared);
    if (linkId) void auditLinkUse(linkId, where.mode === "host" ? where.label : where.prefix, req);
    res.writeHead(302, { Location: location, "Set-Cookie": `${LINK_COOKIE}=${encodeURIComponent(shared)}; ${cookieAttrs(cookiePath, 30 * 86400)}`, "Cache-Control": "no-store" }).end();
    return;
  }

  if (foreignOrigin(req, where, false) || (where.mode === "path" && isAppsOrigin(req.headers.origin)))
    return void html(res, 403, page("Refused", "This request came from another site."));
  const creds = await credentials(req, where);
  const v = await authorizePreview(db, where.target, creds);
  if (v.decision === "signin") {
    res.writeHead(302, { Location: signinUrl(req, where), "Cache-Control": "no-store" }).end();
    return;
  }
  if (v.decision !== "allow") {
    const p = PAGES[v.decision];
    return void html(res, p.status, page(p.title, p.body));
  }
  const pod = podTarget(v);
  if (!pod.running) {
    const may = v.viewer?.role && roleAtLeast(v.viewer.role, "developer");
    // Wake on access: a developer's POST from the stopped page (same origin only) starts the devbox.
    if (may && req.method === "POST" && url.searchParams.has(WAKE_PARAM) && creds.session && sameOriginPost(req, where)) {
      if (v.devbox!.desiredState === "stopped") await startDevbox(db, v.team!, creds.session.userId, v.devbox!.name);
      url.searchParams.delete(WAKE_PARAM);
      res.writeHead(303, { Location: `${url.pathname}${url.search}`, "Cache-Control": "no-store" }).end();
      return;
    }
    if (v.devbox!.desiredState === "running")
      return void html(res, 503, page(`Starting ${v.devbox!.name}…`, `The devbox is ${pod.state.toLowerCase()}. This page reloads by itself when it runs.`), { "Retry-After": "3", Refresh: "3" });
    if (may) {
      url.searchParams.set(WAKE_PARAM, "1");
      return void html(res, 503, page(`${v.devbox!.name} is ${pod.state.toLowerCase()}`, "The devbox is stopped. Start it to open this preview.", { href: `${url.pathname}${url.search}`, label: "Start the devbox", post: true }));
    }
    return void html(
      res,
      503,
      page(`${v.devbox!.name} is ${pod.state.toLowerCase()}`, `The devbox is ${pod.state.toLowerCase()}. Ask its team to start it.`),
      { "Retry-After": "5" },
    );
  }
  recordActivity(v.devbox!.id, "preview", creds.session?.userId ?? null);
  prepareForward(req, where);
  if (where.mode === "path") {
    onDashboardOrigin.add(req);
    // The app's cookies stay under its prefix and on this host (never the dashboard's path or a parent domain).
    proxy.web(req, res, { target: `http://${pod.ip}:${v.port}`, cookiePathRewrite: { "*": `${where.prefix}/` }, cookieDomainRewrite: { "*": "" } });
  } else proxy.web(req, res, { target: `http://${pod.ip}:${v.port}` });
}

/** "Used": the browser that opened the link (once per opening, not per request). */
async function auditLinkUse(linkId: string, at: string, req: IncomingMessage): Promise<void> {
  try {
    const db = await getDb();
    const link = await findShareLink(db, linkId);
    const devbox = link && (await findDevboxById(db, link.devboxId));
    if (!link || !devbox) return;
    await recordAudit(db, { actorId: null, teamId: devbox.teamId, action: "share_link.used", target: devbox.name, details: { devboxId: devbox.id, port: link.port, linkId, sharedBy: link.createdBy, at, ip: req.socket.remoteAddress } });
  } catch (err) {
    console.error("[devbox] preview: audit of a link use failed", err);
  }
}

async function exchangeCode(req: IncomingMessage, res: ServerResponse, where: Extract<Where, { mode: "host" }>, url: URL): Promise<void> {
  const code = url.searchParams.get("code") ?? "";
  const next = url.searchParams.get("next") ?? "/";
  const db = await getDb();
  const row = code ? await claimCode(db, code, where.label) : null;
  if (!row) return void html(res, PAGES.bad_code.status, page(PAGES.bad_code.title, PAGES.bad_code.body));
  const value = signAppsSession({ userId: row.userId, host: where.label, sessionVersion: row.sessionVersion, sessionId: row.sessionId, expiresAt: Date.now() + APPS_SESSION_TTL_MS });
  // Resolved as a browser would (it drops tabs and newlines: "/\t/evil.example" is "//evil.example").
  const safeNext = safeCallbackPath(next, "http://apps.invalid");
  res.writeHead(302, { Location: safeNext, "Set-Cookie": `${APPS_COOKIE}=${value}; ${cookieAttrs("/", APPS_SESSION_TTL_MS / 1000)}`, "Cache-Control": "no-store" }).end();
}

// ---- websockets ----------------------------------------------------------------------

function rawStatus(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${extra}Connection: close\r\n\r\n${text}`);
}

/** Handles a preview websocket upgrade; returns false when the upgrade is the dashboard's. */
export function handlePreviewUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
  const where = previewWhere(req);
  if (!where) return false;
  socket.on("error", () => {});
  serveUpgrade(req, socket, head, where).catch((err) => {
    console.error("[devbox] preview upgrade failed:", err);
    rawStatus(socket, 500, "Internal Server Error");
  });
  return true;
}

const WAKE_PARAM = "__devbox_wake";

/** A POST from a page of this very origin (the stopped page's button), never from another site. */
function sameOriginPost(req: IncomingMessage, where: Where): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  if (where.mode === "path") return isTrustedOrigin(origin);
  try {
    return new URL(origin).host === (req.headers.host ?? "").toLowerCase();
  } catch {
    return false;
  }
}

async function serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, where: Where): Promise<void> {
  if (!where.target || (where.mode === "path" && where.needsSlash)) return rawStatus(socket, 404, "Not Found");
  // Path mode lives on the dashboard's origin: only its own pages (or sandboxed app pages, whose
  // Origin is "null") may open it, never another site riding on the user's cookie.
  if (where.mode === "path" && req.headers.origin && req.headers.origin !== "null" && !isTrustedOrigin(req.headers.origin)) return rawStatus(socket, 403, "Forbidden");
  if (foreignOrigin(req, where, true)) return rawStatus(socket, 403, "Forbidden");
  const creds = await credentials(req, where);
  const db = await getDb();
  const v = await authorizePreview(db, where.target, creds);
  if (v.decision === "signin") return rawStatus(socket, 401, "Unauthorized");
  if (v.decision !== "allow") return rawStatus(socket, PAGES[v.decision].status, v.decision === "not_found" ? "Not Found" : "Forbidden");
  const pod = podTarget(v);
  if (!pod.running) return rawStatus(socket, 503, "Service Unavailable", { "Retry-After": "5" });
  prepareForward(req, where);
  // Open preview websockets are re-authorized when a level, link or membership changes (lowering cuts them).
  previewSockets().add({ socket, target: where.target, creds, devboxId: v.devbox!.id });
  // Bursts of messages from the browser are activity; an open socket with an app's heartbeat is not.
  const devboxId = v.devbox!.id;
  const burst = new BurstGate();
  socket.on("data", () => burst.packet() && recordActivity(devboxId, "preview", creds.session?.userId ?? null));
  proxy.ws(req, socket, head, { target: `http://${pod.ip}:${v.port}` });
}

/**
 * An app's page calling the dashboard (same site when the apps domain is under the dashboard's,
 * as `*.localhost` is under `localhost`, so SameSite cookies would ride along): refused before
 * Next.js sees it, whatever the method, and without CORS headers so the page cannot read anything.
 */
export function refuseAppsOrigin(req: IncomingMessage, res: ServerResponse): boolean {
  if (!isAppsOrigin(req.headers.origin)) return false;
  res.writeHead(403, { "Content-Type": "application/json", Vary: "Origin" }).end(JSON.stringify({ error: { code: "forbidden", message: "Refused: preview apps cannot call the dashboard." } }));
  return true;
}

/**
 * An `Origin` of a page on the apps domain. Same site as the dashboard when the apps domain is
 * under it, so the dashboard's SameSite=Lax cookie rides along with its requests: refused on the
 * dashboard (refuseAppsOrigin) and on its path fallback `/p/…`, which is served before that check.
 */
function isAppsOrigin(origin: string | undefined): boolean {
  if (!origin || origin === "null") return false;
  try {
    return !!appsLabelOf(new URL(origin).host);
  } catch {
    return false;
  }
}
