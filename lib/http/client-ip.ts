import type { IncomingMessage } from "node:http";

/**
 * The client's address for per-IP limits. server.ts stamps it on every request in this header
 * (overwriting whatever the client sent), so route handlers and server actions can read it.
 * Behind a reverse proxy, DEVBOX_TRUST_PROXY=1 takes the address the proxy appended to
 * X-Forwarded-For instead of the proxy's own.
 */
export const CLIENT_IP_HEADER = "x-devbox-client-ip";

export function stampClientIp(req: IncomingMessage): void {
  let ip = req.socket.remoteAddress ?? "unknown";
  if (process.env.DEVBOX_TRUST_PROXY === "1") {
    const xff = req.headers["x-forwarded-for"];
    const last = (Array.isArray(xff) ? xff.join(",") : (xff ?? "")).split(",").map((s) => s.trim()).filter(Boolean).pop();
    if (last) ip = last;
  }
  req.headers[CLIENT_IP_HEADER] = ip.replace(/^::ffff:/, "");
}

/** The stamped address, from a Request's or next/headers' Headers. */
export function clientIpOf(headers: Pick<Headers, "get">): string {
  return headers.get(CLIENT_IP_HEADER) ?? "unknown";
}
