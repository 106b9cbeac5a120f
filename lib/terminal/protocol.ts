/**
 * The terminal websocket protocol, shared by the server bridge (server/ws/terminal.ts) and the
 * browser (components/terminal/). No Node or DOM imports: both sides bundle this file.
 *
 * URL:  /api/v1/teams/<team>/devboxes/<name>/terminal?session=<id>
 *       `session` is chosen by the client (a random id per tab, kept in localStorage); attaching
 *       again with the same id resumes the same shell. Sessions are scoped to (user, devbox), so
 *       guessing another user's id attaches nothing.
 * Frames, client → server: binary = keystrokes/paste (stdin); text = JSON ClientMessage.
 * Frames, server → client: binary = terminal output (stdout, TTY so stderr is merged);
 *                          text = JSON ServerMessage.
 * Flow control: the server stops reading from Kubernetes while more than FLOW_WINDOW bytes of
 * output are unacknowledged; the client acks the bytes its terminal has *processed* (xterm's
 * write callback), so neither the server's memory nor the browser's parse queue grows without
 * bound when a program floods the terminal, and Ctrl-C is seen after at most one window.
 *
 * Refusals: the server completes the websocket handshake and closes at once with one of the
 * codes below (nothing is executed). It does not answer with an HTTP 4xx instead because a
 * browser hides the HTTP status of a failed handshake from scripts: the UI could not say why.
 */

export const TERMINAL_PATH_PREFIX = "/api/v1/teams/";
export const TERMINAL_PATH_RE = /^\/api\/v1\/teams\/([^/]+)\/devboxes\/([^/]+)\/terminal\/?$/;

/** A guest's view of a terminal shared with them (lib/terminal/shares.ts): `share` instead of `session`. */
export function sharedTerminalPath(team: string, devbox: string, shareId: string): string {
  return `/api/v1/teams/${encodeURIComponent(team)}/devboxes/${encodeURIComponent(devbox)}/terminal?share=${encodeURIComponent(shareId)}`;
}

export function terminalPath(team: string, devbox: string, session: string): string {
  return `/api/v1/teams/${encodeURIComponent(team)}/devboxes/${encodeURIComponent(devbox)}/terminal?session=${encodeURIComponent(session)}`;
}

/** Session ids: what a client may choose (also what crypto.randomUUID() produces). */
export const SESSION_ID_RE = /^[A-Za-z0-9_-]{8,64}$/;

/** Websocket close codes (4000–4999 are the application's). `1000` follows an `exit` message. */
export const CloseCode = {
  /** The shell exited; an `exit` message with its status came first. */
  Normal: 1000,
  /** The client asked to end the session ({type:"close"}). */
  Closed: 4001,
  /** The dashboard is shutting down; reconnecting later resumes nothing (sessions live in it). */
  GoingAway: 1001,
  /** Another tab or window attached to this session. */
  TakenOver: 4000,
  BadRequest: 4400,
  /** No valid session cookie. */
  Unauthorized: 4401,
  /** The Origin is not the dashboard's own (cross-site websocket hijacking). */
  ForbiddenOrigin: 4403,
  /** The user's role in the team is below developer. */
  Forbidden: 4406,
  /** No such team or devbox (or not the user's: other teams' devboxes are never revealed). */
  NotFound: 4404,
  /** The devbox exists but is not Running. */
  NotRunning: 4409,
  /** The devbox was stopped, restarted or deleted while the terminal was open. */
  DevboxGone: 4410,
  /** Access was revoked while open: signed out everywhere, removed from the team, role lowered. */
  Revoked: 4411,
  /** A shared terminal: the owner stopped sharing it (or the share does not exist any more). */
  ShareEnded: 4412,
  /** Too many terminal sessions open for this user. */
  TooManySessions: 4429,
  /** Kubernetes exec failed (or the connection to it broke). */
  ExecFailed: 4500,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Closes after which reconnecting automatically makes no sense: the UI offers a button instead. */
export function isFinalClose(code: number): boolean {
  return code === CloseCode.Normal || code === CloseCode.TakenOver || code === CloseCode.Closed || (code >= 4400 && code < 4600);
}

export function closeCodeLabel(code: number): string {
  switch (code) {
    case CloseCode.Normal: return "The shell exited.";
    case CloseCode.Closed: return "Terminal closed.";
    case CloseCode.GoingAway: return "The dashboard restarted.";
    case CloseCode.TakenOver: return "This session was opened in another tab.";
    case CloseCode.BadRequest: return "Bad terminal request.";
    case CloseCode.Unauthorized: return "Your session expired: sign in again.";
    case CloseCode.ForbiddenOrigin: return "Refused: the page is not served by this dashboard.";
    case CloseCode.Forbidden: return "You need the developer role to open a terminal.";
    case CloseCode.NotFound: return "Devbox not found.";
    case CloseCode.NotRunning: return "The devbox is not running.";
    case CloseCode.DevboxGone: return "The devbox was stopped or deleted.";
    case CloseCode.Revoked: return "Your access to this devbox was revoked.";
    case CloseCode.ShareEnded: return "The owner stopped sharing this terminal.";
    case CloseCode.TooManySessions: return "Too many open terminals.";
    case CloseCode.ExecFailed: return "The shell could not be started.";
    default: return "Connection lost.";
  }
}

/** Bytes of output in flight (sent, not yet acked by the client) before the server pauses. */
export const FLOW_WINDOW = 1024 * 1024;
/** The client acks processed output in steps of this many bytes (well below FLOW_WINDOW). */
export const ACK_EVERY = 64 * 1024;

export type ClientMessage =
  | { type: "resize"; cols: number; rows: number }
  | { type: "ping"; t?: number }
  /** `bytes`: output bytes processed since the previous ack. */
  | { type: "ack"; bytes: number }
  /** The user closed this terminal: end the shell (a dropped connection only detaches). */
  | { type: "close" };

export type ServerMessage =
  /** First message after attaching. `resumed`: an existing shell, whose recent output follows. */
  | { type: "session"; id: string; resumed: boolean; replayBytes: number; mode?: "read" | "write" }
  | { type: "pong"; t?: number }
  /** The shell ended: its exit status (null when Kubernetes did not report one). */
  | { type: "exit"; code: number | null; message: string }
  /** Sent just before a close with an application code, with a sentence for the user. */
  | { type: "error"; code: number; message: string }
  /**
   * The devbox is about to be stopped by itself (lib/idle/): for inactivity (typing moves the deadline), its
   * daily stop, or the team's maximum lifetime; "keep running" postpones the first two (`keepable`).
   */
  | { type: "idle-warning"; stopAt: string; message: string; cause?: "idle" | "lifetime" | "schedule"; keepable?: boolean };

/** Parses a client control frame; anything malformed is null (and ignored). */
export function parseClientMessage(text: string): ClientMessage | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!v || typeof v !== "object") return null;
  const m = v as Record<string, unknown>;
  const int = (x: unknown, min: number, max: number) => typeof x === "number" && Number.isInteger(x) && x >= min && x <= max;
  switch (m.type) {
    case "resize":
      return int(m.cols, 1, 1000) && int(m.rows, 1, 1000) ? { type: "resize", cols: m.cols as number, rows: m.rows as number } : null;
    case "ping":
      return { type: "ping", ...(typeof m.t === "number" ? { t: m.t } : {}) };
    case "ack":
      return int(m.bytes, 0, 1 << 30) ? { type: "ack", bytes: m.bytes as number } : null;
    case "close":
      return { type: "close" };
    default:
      return null;
  }
}
