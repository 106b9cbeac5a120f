import { AppError } from "@/lib/errors";
import { isTrustedOrigin } from "./trusted-origins";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Cross-site request forgery defence for the REST API. A browser attaches the session cookie to a
 * request that any page sends, and "same site" includes other ports of the host and sibling
 * subdomains, so SameSite=Lax is not enough. A page can only send text/plain, form-encoded or
 * multipart bodies without a CORS preflight (which we never grant), and it cannot forge `Origin`.
 * So an unsafe method must carry `Content-Type: application/json` (with or without a body) and
 * an `Origin` that is exactly one of the dashboard's configured origins.
 *
 * Requests authenticated by an API token with no cookie carry no ambient credential and are
 * exempt (`tokenAuthenticated`, decided by lib/http/route.ts). A request with both a token and a
 * cookie is still checked: a page could add a header to a request the browser sends with cookies.
 */
export function requireSameOriginJson(req: Request, tokenAuthenticated = false): void {
  if (!UNSAFE.has(req.method.toUpperCase()) || tokenAuthenticated) return;
  const origin = req.headers.get("origin");
  if (!isTrustedOrigin(origin))
    throw new AppError("forbidden", "Refused: this request did not come from the dashboard's own pages (Origin).");
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json")
    throw new AppError("forbidden", "Refused: send the request body as Content-Type: application/json.");
}
