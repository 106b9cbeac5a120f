import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { isTrustedHost, isTrustedOrigin } from "@/lib/http/trusted-origins";
import { isCookielessBearer } from "@/lib/tokens/secret";

/**
 * DNS-rebinding defence for everything server.ts serves. A page on `attacker.example:3000`, whose
 * name the attacker re-points at 127.0.0.1, is same-origin with itself: its requests reach this
 * server with `Host: attacker.example:3000` and a matching `Origin`. So every HTTP request and
 * every websocket upgrade must name one of the configured hosts (NEXTAUTH_URL,
 * DEVBOX_TRUSTED_ORIGINS); anything else is 421 Misdirected Request before Next.js or an endpoint
 * sees it. Load balancer probes must send a configured `Host` too.
 *
 * Unsafe methods must also carry one of the configured origins. This is what protects server
 * actions (POSTs to page paths: Next.js compares their `Origin` with `Host` and admits a missing
 * one); the REST API checks the same and more in lib/http/csrf.ts (API-token calls without a cookie
 * are exempt from both). next-auth's own POSTs under
 * /api/auth are left to its double-submit CSRF token (an identity provider may post back there).
 */
// Names the configured address, so someone who typed 127.0.0.1 instead of localhost knows where to go.
const misdirected = () => ({
  error: {
    code: "misdirected",
    message: `This dashboard does not answer to that host name. Open ${process.env.NEXTAUTH_URL ?? "its configured address"} (other names: DEVBOX_TRUSTED_ORIGINS).`,
  },
});
const FOREIGN_ORIGIN = { error: { code: "forbidden", message: "Refused: this request did not come from the dashboard's own pages (Origin)." } };
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const MALFORMED = { error: { code: "bad_request", message: "The request path is not valid." } };

/** Answers and returns true when the request must not go on; false lets it through. */
export function refuseForeignRequest(req: IncomingMessage, res: ServerResponse): boolean {
  if (!isTrustedHost(req.headers.host)) {
    res.writeHead(421, { "Content-Type": "application/json", Connection: "close" }).end(JSON.stringify(misdirected()));
    return true;
  }
  // Next.js answers a path it cannot decode (`%ff`) with a 500; a NUL (`%00`) reaches SQL; an
  // encoded dot segment (`%2e%2e`) is a crafted path (browsers resolve dots before sending).
  // None of them names anything we serve.
  if (!decodablePath(req.url ?? "/")) {
    res.writeHead(400, { "Content-Type": "application/json" }).end(JSON.stringify(MALFORMED));
    return true;
  }
  if (UNSAFE.has(req.method ?? "") && !isTrustedOrigin(req.headers.origin) && !pathOf(req).startsWith("/api/auth/") && !isCookielessApiToken(req)) {
    res.writeHead(403, { "Content-Type": "application/json" }).end(JSON.stringify(FOREIGN_ORIGIN));
    return true;
  }
  return false;
}

/** The same Host rule for websocket upgrades: a raw 421 response on the socket. */
export function refuseForeignUpgrade(req: IncomingMessage, socket: Duplex): boolean {
  if (isTrustedHost(req.headers.host)) return false;
  const body = JSON.stringify(misdirected());
  socket.on("error", () => {});
  socket.end(`HTTP/1.1 421 Misdirected Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  return true;
}

/**
 * A REST call with an API token and no cookie (the CLI, scripts) carries no ambient credential,
 * so a forged cross-site request could not use one: it needs no Origin (lib/http/route.ts
 * applies the same rule). Only under /api/v1/: server actions never take tokens.
 */
function isCookielessApiToken(req: IncomingMessage): boolean {
  return isCookielessBearer(req.headers.authorization, req.headers.cookie) && pathOf(req).startsWith("/api/v1/");
}

// Dot segments resolved, as the router sees the path.
function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? "/", "http://x").pathname;
  } catch {
    return "/";
  }
}

function decodablePath(url: string): boolean {
  const path = url.split("?")[0];
  try {
    const decoded = decodeURIComponent(path);
    return !decoded.includes("\0") && !decoded.split("/").some((seg) => seg === "." || seg === "..");
  } catch {
    return false;
  }
}
