import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket, WebSocketServer } from "ws";
import { ForeignOriginError } from "@/lib/auth/ws-session";
import { AppError } from "@/lib/errors";

/**
 * How the websocket endpoints (terminal, exec, ssh, app logs) refuse and end connections. The
 * close codes are the same in every protocol (lib/terminal/protocol.ts, lib/ssh/protocol.ts):
 * 4400 bad request, 4401 sign in, 4403 foreign Origin, 4404 not found, 4406 forbidden.
 */
export class Refusal extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const CODE_OF: Partial<Record<AppError["code"], number>> = { bad_request: 4400, unauthorized: 4401, not_found: 4404, forbidden: 4406 };

/** The refusal an authorization error stands for, or undefined for anything else (a failure). */
export function refusalOf(err: unknown): Refusal | undefined {
  if (err instanceof Refusal) return err;
  if (err instanceof ForeignOriginError) return new Refusal(4403, err.message);
  const code = err instanceof AppError ? CODE_OF[err.code] : undefined;
  return code === undefined ? undefined : new Refusal(code, (err as AppError).message);
}

/** A close reason within the protocol's 123 bytes (UTF-8), cut at a character. */
export function closeReason(message: string): string {
  let out = message;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

/**
 * Ends a connection with a code: the message goes first as a JSON error frame (it may be longer
 * than a close reason allows) unless the protocol's text frames are data (`errorFrame: false`).
 */
export function closeWith(ws: WebSocket, code: number, message: string, opts: { errorFrame?: boolean } = {}): void {
  if (opts.errorFrame !== false && ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: "error", code, message }));
  ws.close(code, closeReason(message));
}

/** Refuses a handshake: the upgrade is accepted only to be closed with the code (browsers see no HTTP status). */
export function refuseUpgrade(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer, r: Refusal, opts: { errorFrame?: boolean } = {}): void {
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on("error", () => {});
    closeWith(ws, r.code, r.message, opts);
  });
}
