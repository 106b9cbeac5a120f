import { toAppError } from "@/lib/errors";
import { requireSameOriginJson } from "./csrf";
import { refuseNulInBody } from "./nul-guard";

/** An API-token request with no cookie carries no ambient credential: CSRF cannot apply to it. */
function isCookielessBearer(req: Request): boolean {
  return /^Bearer\s/i.test(req.headers.get("authorization") ?? "") && !req.headers.get("cookie");
}

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

/**
 * Wraps a route handler: unsafe methods must come from the dashboard's own pages as JSON (CSRF,
 * lib/http/csrf.ts; cookie-less API-token requests are exempt), bodies hold no NUL
 * (lib/http/nul-guard.ts), and every thrown AppError becomes its JSON error response.
 */
export function route<C>(handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    try {
      requireSameOriginJson(req, isCookielessBearer(req));
      await refuseNulInBody(req);
      return await handler(req, ctx);
    } catch (err) {
      return toAppError(err).toResponse();
    }
  };
}
