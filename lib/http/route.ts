import { toAppError } from "@/lib/errors";
import { requireSameOriginJson } from "./csrf";

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

/**
 * Wraps a route handler: unsafe methods must come from the dashboard's own pages as JSON (CSRF,
 * lib/http/csrf.ts), and every thrown AppError becomes its JSON error response.
 */
export function route<C>(handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    try {
      requireSameOriginJson(req);
      return await handler(req, ctx);
    } catch (err) {
      return toAppError(err).toResponse();
    }
  };
}
