/**
 * The name of the dashboard's session cookie. On https it carries the `__Host-` prefix: a browser
 * then keeps such a cookie only when the dashboard's own host set it (Secure, `Path=/`, no
 * `Domain`). A page on a sibling host — a preview app on the apps domain, which shares the
 * registrable domain on a typical install (`devbox.example.com`, `*.apps.example.com`) — can
 * otherwise plant a session cookie of its own for the parent domain (cookie tossing) and the
 * user's requests run as the attacker's account. next-auth's default `__Secure-` prefix does not
 * prevent that. On http no prefix is possible (the default `*.localhost` apps cannot set a cookie
 * for `localhost`). Read from NEXTAUTH_URL on each call: server.ts fills its default after modules load.
 */
export function sessionCookieName(env: NodeJS.ProcessEnv = process.env): string {
  return secureDashboard(env) ? "__Host-next-auth.session-token" : "next-auth.session-token";
}

export function secureDashboard(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.NEXTAUTH_URL ?? "").toLowerCase().startsWith("https:");
}
