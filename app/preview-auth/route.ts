import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { authorizePreview } from "@/lib/authz/preview-access";
import { requireNoToken } from "@/lib/authz/token-scope";
import { route } from "@/lib/http/route";
import { limitPreviewHandoff } from "@/lib/preview/handoff-limit";
import { appsConfig, AUTH_PATH, parseLabel } from "@/lib/preview/host";
import { PAGES, page } from "@/lib/preview/pages";
import { insertCode, purgeOldCodes } from "@/lib/preview/queries";
import { randomToken } from "@/lib/preview/tokens";

const html = (status: number, body: string) => new Response(body, { status, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });

/**
 * GET /preview-auth?host=<apps label>&path=<path>: the dashboard half of the preview hand-off.
 * An apps host without its own cookie sends the browser here; with a dashboard session that may
 * open the port, we redirect back to that host with a one-time code (60 s) that it exchanges
 * for a cookie of its own. The redirect target is built from the parsed label, never taken as
 * given (no open redirect), and the dashboard's cookie never leaves the dashboard's host.
 */
export const GET = route(async (req: Request) => {
  const url = new URL(req.url);
  const label = (url.searchParams.get("host") ?? "").toLowerCase();
  // Resolved as a browser would (it drops tabs and newlines: "/\t/evil.example" is "//evil.example").
  const path = safeCallbackPath(url.searchParams.get("path"), "http://apps.invalid");
  const target = /^[a-z0-9-]{1,63}$/.test(label) ? parseLabel(label) : null;
  if (!target) return html(404, page(PAGES.not_found.title, PAGES.not_found.body));

  const user = await currentUser();
  if (!user) {
    const back = `/preview-auth?host=${encodeURIComponent(label)}&path=${encodeURIComponent(path)}`;
    return new Response(null, { status: 303, headers: { Location: `/login?callbackUrl=${encodeURIComponent(back)}` } });
  }
  // The apps cookie it leads to knows the user only: a token's scopes, team and devbox restrictions
  // and its revocation would not follow it there.
  requireNoToken(user, "Opening a preview");
  const db = await getDb();
  // Counted before the lookup (lib/preview/handoff-limit.ts): 429 once over the user's or the address's limit.
  const refused = await limitPreviewHandoff(db, req.headers, user.id);
  if (refused) return refused;
  const v = await authorizePreview(db, target, { session: { userId: user.id, sessionVersion: user.sessionVersion, sessionId: user.sessionId }, linkId: null });
  if (v.decision !== "allow") {
    const p = PAGES[v.decision === "signin" ? "not_found" : v.decision];
    return html(p.status, page(p.title, p.body));
  }
  // Used and expired codes are kept an hour (for the audit of a replay), then swept now and then.
  if (Math.random() < 0.02) await purgeOldCodes(db).catch(() => {});
  const code = randomToken();
  await insertCode(db, code, { userId: user.id, host: label, sessionVersion: user.sessionVersion, sessionId: user.sessionId });
  await recordAudit(db, { actorId: user.id, teamId: v.team!.id, action: "preview.signed_in", target: v.devbox!.name, details: { devboxId: v.devbox!.id, port: v.port, level: v.level } });
  const cfg = appsConfig();
  const location = `${cfg.protocol}//${label}.${cfg.domain}${cfg.portSuffix}${AUTH_PATH}?code=${encodeURIComponent(code)}&next=${encodeURIComponent(path)}`;
  return new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });
});
