/**
 * Preview addresses of devbox ports. No Node or DOM imports: the UI builds the same URLs.
 *
 * Host form: `<port>--<devbox>--<team>.<DEVBOX_APPS_DOMAIN>[:<dashboard port>]`, one DNS label.
 * A DNS label holds at most 63 characters; devbox names and team slugs may each be 40, so
 * `65535--<40>--<40>` (89) does not always fit. When it does not, the label is
 * `<port>--<devbox id without dashes>` (at most 5 + 2 + 32 = 39): still stable and unique, only
 * less readable. Both forms are accepted on input; the long form is what the UI shows when it fits.
 *
 * Names are DNS labels and may themselves contain `--`; then `<devbox>--<team>` would split more
 * than one way, and whoever creates the other reading (a team `v2--acme` with a devbox `api` for
 * `api--v2` of `acme`) would take over that preview origin. So a name containing `--` always gets
 * the id form, and a name-form label is accepted only when it splits exactly one way.
 *
 * Path form (installs without wildcard DNS): `/p/<team>/<devbox>/<port>/…` on the dashboard's
 * own origin — see README "Preview URLs" for what that costs.
 */
export const LABEL_MAX = 63;
export const PATH_PREFIX = "/p/";
/** Where an apps host takes the hand-off code (shadows that one path of the app). */
export const AUTH_PATH = "/__devbox/auth";
/** The query parameter a share link carries its token in. */
export const SHARE_PARAM = "devbox_share";

export type PreviewTarget =
  | { kind: "names"; port: number; devbox: string; team: string }
  | { kind: "id"; port: number; devboxId: string };

export interface AppsConfig {
  /** Lower case, without a leading dot: `localhost`, `apps.example.com`. */
  domain: string;
  /** `http:` or `https:`, from the dashboard's public URL. */
  protocol: string;
  /** `:3000`, or "" for the scheme's default port. */
  portSuffix: string;
}

export function appsConfig(env: Record<string, string | undefined> = process.env): AppsConfig {
  const domain = (env.DEVBOX_APPS_DOMAIN ?? "localhost").trim().toLowerCase().replace(/^\.+|\.+$/g, "") || "localhost";
  const dash = new URL(env.NEXTAUTH_URL ?? `http://localhost:${env.PORT ?? 3000}`);
  return { domain, protocol: dash.protocol, portSuffix: dash.port ? `:${dash.port}` : "" };
}

const LABEL_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const PORT_RE = /^[1-9][0-9]{0,4}$/;
const ID_RE = /^[0-9a-f]{32}$/;

function validPort(s: string): number | null {
  if (!PORT_RE.test(s)) return null;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : null;
}

/** The single label naming a devbox port. */
export function previewLabel(port: number, devbox: { id: string; name: string }, teamSlug: string): string {
  const full = `${port}--${devbox.name}--${teamSlug}`;
  const unambiguous = !devbox.name.includes("--") && !teamSlug.includes("--");
  return unambiguous && full.length <= LABEL_MAX ? full : `${port}--${devbox.id.replace(/-/g, "").toLowerCase()}`;
}

export function previewOrigin(port: number, devbox: { id: string; name: string }, teamSlug: string, cfg: AppsConfig = appsConfig()): string {
  return `${cfg.protocol}//${previewLabel(port, devbox, teamSlug)}.${cfg.domain}${cfg.portSuffix}`;
}

export function previewPath(port: number, devboxName: string, teamSlug: string): string {
  return `${PATH_PREFIX}${encodeURIComponent(teamSlug)}/${encodeURIComponent(devboxName)}/${port}/`;
}

/** The label of a `Host` header on the apps domain, or null when the host is not one of ours. */
export function appsLabelOf(hostHeader: string | undefined | null, cfg: AppsConfig = appsConfig()): string | null {
  if (!hostHeader) return null;
  const host = hostHeader.trim().toLowerCase().replace(/:\d{1,5}$/, "");
  const suffix = `.${cfg.domain}`;
  if (!host.endsWith(suffix)) return null;
  const label = host.slice(0, -suffix.length);
  return label.length <= LABEL_MAX && LABEL_RE.test(label) ? label : null;
}

/** Parses a preview label; null when it is not one. */
export function parseLabel(label: string): PreviewTarget | null {
  const first = label.indexOf("--");
  if (first < 1) return null;
  const port = validPort(label.slice(0, first));
  if (port === null) return null;
  const rest = label.slice(first + 2);
  if (ID_RE.test(rest)) {
    const h = rest;
    return { kind: "id", port, devboxId: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` };
  }
  const parts = rest.split("--");
  if (parts.length !== 2 || !LABEL_RE.test(parts[0]) || !LABEL_RE.test(parts[1])) return null;
  return { kind: "names", port, devbox: parts[0], team: parts[1] };
}

/** `/p/<team>/<devbox>/<port>/rest` → its parts; `needsSlash` when the port segment had no trailing `/`. */
export function parsePreviewPath(pathAndQuery: string): { team: string; devbox: string; port: number; rest: string; prefix: string; needsSlash: boolean } | null {
  if (!pathAndQuery.startsWith(PATH_PREFIX)) return null;
  const m = /^\/p\/([a-z0-9-]{1,63})\/([a-z0-9-]{1,63})\/([0-9]{1,5})(\/[^?]*)?(\?.*)?$/.exec(pathAndQuery);
  if (!m) return null;
  const port = validPort(m[3]);
  if (port === null || !LABEL_RE.test(m[1]) || !LABEL_RE.test(m[2])) return null;
  const prefix = `/p/${m[1]}/${m[2]}/${m[3]}`;
  return { team: m[1], devbox: m[2], port, prefix, rest: `${m[4] ?? "/"}${m[5] ?? ""}`, needsSlash: m[4] === undefined };
}
