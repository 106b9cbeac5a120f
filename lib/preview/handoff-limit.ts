import type { Database } from "@/db/client";
import { enforceLimits, previewHandoffLimits, waitText } from "@/lib/abuse/rate-limit";
import { AppError } from "@/lib/errors";
import { clientIpOf } from "@/lib/http/client-ip";
import { page } from "./pages";

/**
 * Rate limit of the preview hand-off (app/preview-auth/route.ts), the way password sign-in is
 * limited (lib/auth/signin-limit.ts): every attempt of a signed-in user counts against the user
 * and the client's address before anything is looked up, so a loop can neither fill the code and
 * audit tables nor probe which devbox ports exist. Anonymous attempts are only redirected to the
 * sign-in (nothing written, nothing answered) and are not counted.
 * Returns the 429 page (a browser navigation: HTML, with Retry-After) when over a limit, else null.
 */
export async function limitPreviewHandoff(db: Database, headers: Pick<Headers, "get">, userId: string): Promise<Response | null> {
  const limits = previewHandoffLimits();
  try {
    await enforceLimits(db, [[limits.user, userId], [limits.ip, clientIpOf(headers)]], (s) => `Too many preview sign-ins. Try again in ${waitText(s)}.`);
    return null;
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "rate_limited") throw err;
    const retryAfter = err.retryAfterSeconds ?? 60;
    return new Response(page("Too many preview sign-ins", err.message), {
      status: 429,
      headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Retry-After": String(retryAfter) },
    });
  }
}
