import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The dashboard's own requests (REST API, server actions, next-auth) carry small JSON or form
 * bodies, yet route handlers and next-auth read a body whole into memory before anything is
 * authorized, and nothing in Next.js bounds that for route handlers. So before Next.js sees a
 * request: a body must declare its length (411 otherwise: a chunked stream could not be bounded
 * without reading it) and that length must be at most MAX_BODY_BYTES (413). An unauthenticated
 * client announcing a gigabyte is answered at once, and the connection is closed. Preview
 * traffic (large uploads to an app) is served before this check, by server/preview.ts.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Answers and returns true when the request's body must not be read; false lets it through. */
export function refuseOversizedBody(req: IncomingMessage, res: ServerResponse): boolean {
  const length = req.headers["content-length"];
  if (length === undefined) {
    if (req.headers["transfer-encoding"] === undefined) return false;
    return refuse(res, 411, "bad_request", "Send the request body with a Content-Length.");
  }
  // Node has already refused a malformed or doubled Content-Length (400).
  if (Number(length) <= MAX_BODY_BYTES) return false;
  return refuse(res, 413, "bad_request", `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`);
}

function refuse(res: ServerResponse, status: number, code: string, message: string): true {
  res.writeHead(status, { "Content-Type": "application/json", Connection: "close" }).end(JSON.stringify({ error: { code, message } }));
  return true;
}
