import type { Database } from "@/db/client";
import { enforceLimits, refundLimit, signInLimits, waitText } from "@/lib/abuse/rate-limit";
import { AppError } from "@/lib/errors";
import { clientIpOf } from "@/lib/http/client-ip";
import { normalizeEmail } from "@/lib/validation/email";

/**
 * Rate limit of password sign-in, in front of next-auth's credentials callback (which has no way
 * to answer 429 itself). Returns the 429 response when the attempt is over a limit, else null.
 * Every attempt is counted before the password is checked (so parallel guesses cannot slip
 * through), and a correct password takes its count back: only failures add up.
 * The body keeps next-auth's shape ({ url } with `error=`), so its signIn() client reports the
 * message to the login form.
 */
export async function limitCredentialsSignIn(db: Database, req: Request): Promise<Response | null> {
  let email = "";
  try {
    email = String((await req.clone().formData()).get("email") ?? "");
  } catch {
    // not a form: next-auth will refuse it
  }
  const limits = signInLimits();
  const checks: Parameters<typeof enforceLimits>[1] = [[limits.ip, clientIpOf(req.headers)]];
  if (email) checks.push([limits.account, safeEmail(email)]);
  try {
    await enforceLimits(db, checks, (s) => `Too many sign-in attempts. Try again in ${waitText(s)}.`);
    return null;
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "rate_limited") throw err;
    const url = new URL("/login", process.env.NEXTAUTH_URL ?? req.url);
    url.searchParams.set("error", err.message);
    return Response.json(
      { url: url.toString(), error: err.toJSON() },
      { status: 429, headers: { "Retry-After": String(err.retryAfterSeconds ?? 60) } },
    );
  }
}

/** A correct password: its attempt does not count against the account or the address. */
export async function refundSignInAttempt(db: Database, email: string, ip: string): Promise<void> {
  const limits = signInLimits();
  await refundLimit(db, limits.account, safeEmail(email));
  await refundLimit(db, limits.ip, ip);
}

function safeEmail(raw: string): string {
  try {
    return normalizeEmail(raw);
  } catch {
    return raw.trim().toLowerCase().slice(0, 320);
  }
}
