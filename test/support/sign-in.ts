/**
 * Signs in through next-auth's credentials callback like a browser form does (CSRF token cookie,
 * same-origin form post) and returns the session cookie header, or throws with the HTTP status.
 */
export async function credentialsSessionCookie(origin: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const take = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair.indexOf("=");
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  const csrf = await fetch(`${origin}/api/auth/csrf`);
  take(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${origin}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "), Origin: origin },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  take(res);
  const session = [...jar].filter(([k]) => k.includes("session-token"));
  if (!session.length) throw new Error(`sign-in of ${email} failed: HTTP ${res.status}`);
  return session.map(([k, v]) => `${k}=${v}`).join("; ");
}
