import { toAppError } from "@/lib/errors";
import { isCookielessBearer } from "@/lib/tokens/secret";
import { requireSameOriginJson } from "./csrf";
import { refuseNulInBody } from "./nul-guard";

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

/**
 * Wraps a route handler: unsafe methods must come from the dashboard's own pages as JSON (CSRF,
 * lib/http/csrf.ts; cookie-less API-token requests are exempt), bodies hold no NUL
 * (lib/http/nul-guard.ts), and every thrown AppError becomes its JSON error response.
 */
export function route<C>(handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    try {
      requireSameOriginJson(req, isCookielessBearer(req.headers.get("authorization"), req.headers.get("cookie")));
      await refuseNulInBody(req);
      return await handler(req, ctx);
    } catch (err) {
      return toAppError(err).toResponse();
    }
  };
}
