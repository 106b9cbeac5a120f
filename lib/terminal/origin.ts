/**
 * Cross-site websocket hijacking defence. Browsers send cookies with a websocket handshake from
 * any site, so a page on evil.example could open a terminal with the user's session unless the
 * server checks `Origin`, which a page cannot forge (and a non-browser client has no cookie).
 *
 * The dashboard's own origin is, any of:
 *  - NEXTAUTH_URL's origin (the canonical public URL the operator configured);
 *  - extra origins in DEVBOX_TRUSTED_ORIGINS (comma-separated, full origins);
 *  - the host the request was addressed to: `Host`, or `X-Forwarded-Host` set by a reverse proxy
 *    that rewrites `Host`. A browser page cannot set either header on a websocket, so matching
 *    them only ever admits same-host pages. The scheme is not compared there: behind a TLS
 *    terminating proxy the server cannot know it, and the same host on http is the same site.
 * A missing Origin is refused: every browser sends one on websocket handshakes.
 */
export interface OriginInput {
  origin: string | undefined;
  host: string | undefined;
  forwardedHost?: string | undefined;
  publicUrl?: string | undefined;
  trustedOrigins?: string | undefined;
}

export function isSameOrigin({ origin, host, forwardedHost, publicUrl, trustedOrigins }: OriginInput): boolean {
  if (!origin || origin === "null") return false;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (o.protocol !== "http:" && o.protocol !== "https:") return false;
  const allowed = new Set<string>();
  for (const u of [publicUrl, ...(trustedOrigins ?? "").split(",")]) {
    const s = u?.trim();
    if (!s) continue;
    try {
      allowed.add(new URL(s).origin);
    } catch {
      /* ignore malformed configuration entries */
    }
  }
  if (allowed.has(o.origin)) return true;
  const hosts = [host, forwardedHost?.split(",")[0]].map((h) => h?.trim().toLowerCase()).filter(Boolean);
  return hosts.includes(o.host.toLowerCase());
}
