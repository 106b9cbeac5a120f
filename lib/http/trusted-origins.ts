/**
 * The dashboard's own origins: NEXTAUTH_URL's origin (the public URL the operator configured)
 * plus DEVBOX_TRUSTED_ORIGINS (comma-separated full origins, e.g. a second name behind a proxy).
 * Nothing is taken from the request: `Host` is chosen by whoever made the request, and a page on
 * another name that resolves to this server (DNS rebinding) sends its own name as `Host` and
 * `Origin`. Read on each call: server.ts fills NEXTAUTH_URL's default after modules load.
 */
export function trustedOrigins(env: NodeJS.ProcessEnv = process.env): Set<string> {
  const out = new Set<string>();
  for (const entry of [env.NEXTAUTH_URL, ...(env.DEVBOX_TRUSTED_ORIGINS ?? "").split(",")]) {
    const origin = originOf(entry?.trim());
    if (origin) out.add(origin);
  }
  return out;
}

/** `host[:port]` of each trusted origin, lower case, as a `Host` header names them. */
export function trustedHosts(env: NodeJS.ProcessEnv = process.env): Set<string> {
  return new Set([...trustedOrigins(env)].map((o) => new URL(o).host));
}

/** True when `origin` (an `Origin` header) is exactly one of the trusted origins: scheme, host and port. */
export function isTrustedOrigin(origin: string | undefined | null, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!origin || origin === "null") return false;
  const o = originOf(origin);
  // `Origin` is exactly scheme://host[:port]; anything with a path or credentials is not one.
  return !!o && o === origin.toLowerCase().replace(/\/$/, "") && trustedOrigins(env).has(o);
}

/** True when a `Host` header names this dashboard (browsers send it without a default port). */
export function isTrustedHost(host: string | undefined | null, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!host) return false;
  const h = host.trim().toLowerCase();
  if (!/^[a-z0-9.\-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(h)) return false;
  return trustedHosts(env).has(h);
}

function originOf(s: string | undefined): string | undefined {
  if (!s) return undefined;
  try {
    const u = new URL(s);
    if (u.protocol !== "http:" && u.protocol !== "https:") return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}
