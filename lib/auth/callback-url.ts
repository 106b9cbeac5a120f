/**
 * Where to go after sign-in: only a path on the dashboard's own origin. The value comes from the
 * URL (`/login?callbackUrl=…`), so it is attacker-chosen: `/\evil.example` and `/%5Cevil.example`
 * look like paths but browsers read `\` as `/` and go to `//evil.example`. It is resolved the
 * way a browser would against our origin, and anything that lands elsewhere becomes "/".
 */
export function safeCallbackPath(raw: string | null | undefined, origin: string): string {
  if (!raw) return "/";
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return "/";
  }
  if (url.origin !== new URL(origin).origin) return "/";
  // A path that begins with "//" (from "/.//evil.example") would be protocol-relative again.
  const path = url.pathname.replace(/^\/+/, "/");
  return `${path}${url.search}${url.hash}`;
}

/** The dashboard's public origin (NEXTAUTH_URL; server.ts fills its default). */
export function dashboardOrigin(): string {
  return new URL(process.env.NEXTAUTH_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).origin;
}
