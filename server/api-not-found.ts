import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError } from "@/lib/errors";
import { operations } from "@/lib/api/registry";

const PREFIX = "/api/v1";

// "/teams/{team}/devboxes/{name}" → /^\/teams\/[^/]+\/devboxes\/[^/]+$/. The registry lists every
// route handler under app/api/v1 (lib/api/registry.test.ts fails otherwise), so it is the list of
// paths that exist.
const known = operations.map((op) => new RegExp(`^${op.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{\w+\}/g, "[^/]+")}$`));

/**
 * A request for a path under /api/v1 that no operation has gets the API's one error shape (404
 * JSON), not Next.js's HTML "Not found" page, which a REST client cannot read. Returns true when
 * it answered. A trailing slash is left to Next.js (it redirects to the path without one).
 */
export function refuseUnknownApiPath(req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? "").split("?")[0];
  if (!path.startsWith(`${PREFIX}/`) || path.endsWith("/")) return false;
  const rest = path.slice(PREFIX.length);
  if (known.some((re) => re.test(rest))) return false;
  const err = new AppError("not_found", `No such API path: ${req.method} ${path} (the API is described at ${PREFIX}/openapi.json).`);
  // The header tells this apart from a route's own 404 (a devbox not found): e2e/fixtures.ts counts
  // a page's call to a path that does not exist as breakage.
  res.writeHead(err.status, { "Content-Type": "application/json", "X-Devbox-No-Route": "1" }).end(JSON.stringify({ error: err.toJSON() }));
  return true;
}
