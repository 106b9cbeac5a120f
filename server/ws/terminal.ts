import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { getDb } from "@/db/client";
import { accessWatcher, type AccessWatch } from "@/lib/auth/access-watch";
import { actorFromUpgrade, ForeignOriginError } from "@/lib/auth/ws-session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { requireTokenAllows } from "@/lib/authz/token-scope";
import { CONTAINER_NAME, podName } from "@/lib/devboxes/k8s-objects";
import { deriveStatus } from "@/lib/devboxes/status";
import { AppError } from "@/lib/errors";
import { kubeConfig } from "@/lib/k8s/config";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { ShellConnection } from "@/lib/terminal/exec";
import { CloseCode, SESSION_ID_RE, TERMINAL_PATH_PREFIX, TERMINAL_PATH_RE } from "@/lib/terminal/protocol";
import { terminalRegistry, TerminalRegistry } from "@/lib/terminal/registry";
import { MAX_SESSIONS_PER_USER, TerminalSession } from "@/lib/terminal/session";
import { recordAudit } from "@/lib/audit/record";
import { terminalShares } from "@/lib/terminal/shares";
import { roleAtLeast } from "@/lib/teams/roles";
import { startTerminalIdleWarnings } from "@/lib/idle/terminal-warnings";
import { startDevbox } from "@/lib/devboxes/service";
import { registerWebsocketEndpoint } from "../upgrade";
import { keepAlive } from "./heartbeat";
import { closeWith, Refusal, refusalOf, refuseUpgrade } from "./refusal";

/**
 * The terminal websocket: /api/v1/teams/<team>/devboxes/<name>/terminal?session=<id>[&cols=&rows=]
 * (protocol: lib/terminal/protocol.ts). The handshake is checked in this order, and each refusal
 * is a close code, before anything reaches Kubernetes:
 *   path and session id (4400) → API token, or Origin (4403) and session cookie (4401) → developer role on a
 *   devbox of a team the user belongs to (4404 / 4406) → the devbox is Running (4409).
 * While open, the grant is re-checked every few seconds (4411 when revoked).
 * Then it resumes the user's session with that id or opens a new shell (4500 when exec fails).
 */
const accessBySession = new WeakMap<TerminalSession, AccessWatch>();

/** The user behind the handshake: an API token, or the session cookie from a trusted Origin. */
async function upgradeActor(db: Awaited<ReturnType<typeof getDb>>, req: IncomingMessage) {
  try {
    return await actorFromUpgrade(db, req.headers);
  } catch (err) {
    if (err instanceof ForeignOriginError) throw err;
    if (err instanceof AppError) throw new Refusal(CloseCode.Unauthorized, err.code === "unauthorized" && req.headers.authorization ? err.message : "Sign in to open a terminal.");
    throw err;
  }
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 * 1024 });

// A client that stops answering pings is dropped: its session detaches and can be resumed.
keepAlive(wss);
startTerminalIdleWarnings(terminalRegistry);

function intParam(url: URL, name: string, dflt: number): number {
  const n = Number(url.searchParams.get(name));
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : dflt;
}

export async function handleTerminalUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  socket.on("error", () => {});
  try {
    const url = new URL(req.url ?? "/", "http://localhost");
    const m = TERMINAL_PATH_RE.exec(url.pathname);
    const sessionId = url.searchParams.get("session") ?? "";
    const shareId = url.searchParams.get("share");
    if (m && shareId !== null) return await handleGuestUpgrade(req, socket, head, decodeURIComponent(m[1]), decodeURIComponent(m[2]), shareId);
    if (!m || !SESSION_ID_RE.test(sessionId)) throw new Refusal(CloseCode.BadRequest, "Bad terminal request.");
    const [teamSlug, devboxName] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];

    // Cross-site websocket hijacking: browsers send the cookie with a handshake from any page, so
    // with a cookie the page's Origin must be one of the configured origins (never compared with
    // Host, which a DNS-rebinding page controls). An API token (CLI) needs no Origin.
    const db = await getDb();
    const user = await upgradeActor(db, req);

    const { team, devbox } = await requireDevboxRole(user, teamSlug, devboxName, "developer");

    // Wake on access: ?wake=1 on a stopped devbox starts it (the developer role is already
    // checked); the client is told so and connects again once it runs.
    if (url.searchParams.get("wake") === "1" && devbox.desiredState === "stopped") {
      await startDevbox(db, team, user.id, devbox.name);
      throw new Refusal(CloseCode.NotRunning, "Starting the devbox: the terminal opens when it runs.");
    }

    const registry = terminalRegistry();
    const key = TerminalRegistry.key(user.id, devbox.id, sessionId);
    const status = deriveStatus(devbox, devboxPodCache().podsOf(devbox.id));
    if (status.state !== "Running" || status.podName !== podName(devbox)) {
      registry.get(key)?.end(CloseCode.DevboxGone, `The devbox is ${status.state.toLowerCase()}.`);
      throw new Refusal(CloseCode.NotRunning, `The devbox is ${status.state.toLowerCase()}: start it to open a terminal.`);
    }
    if (!registry.get(key) && registry.countForUser(user.id) >= MAX_SESSIONS_PER_USER)
      throw new Refusal(CloseCode.TooManySessions, `At most ${MAX_SESSIONS_PER_USER} terminals can be open at once: close some.`);

    const pod = podName(devbox);
    let opened: { session: TerminalSession; resumed: boolean };
    try {
      opened = await registry.getOrOpen(key, async () => {
        const shell = await ShellConnection.open(kubeConfig(), {
          namespace: team.namespace,
          pod,
          container: CONTAINER_NAME,
          workingDir: devbox.workingDir,
          user: devbox.user,
          cols: intParam(url, "cols", 80),
          rows: intParam(url, "rows", 24),
        });
        // Revocation: the session ends (4411) once the user signs out (that session or everywhere), leaves the
        // team, drops below developer or its API token is revoked, within RECHECK_MS
        // (lib/auth/access-watch.ts).
        let access: AccessWatch | undefined;
        const session = new TerminalSession(key, sessionId, { userId: user.id, devbox, pod }, shell, (s) => {
          access?.stop();
          accessBySession.delete(s);
          registry.remove(s);
        });
        access = accessWatcher().watch(
          { userId: user.id, sessionVersion: user.sessionVersion, sessionId: user.sessionId, teamId: team.id, minRole: "developer", tokenId: user.token?.id },
          (reason) => session.end(CloseCode.Revoked, reason),
        );
        accessBySession.set(session, access);
        return session;
      });
      // A resume authorized with a newer session (signed in again) keeps the shell.
      if (opened.resumed) accessBySession.get(opened.session)?.update({ sessionVersion: user.sessionVersion, sessionId: user.sessionId, tokenId: user.token?.id });
    } catch (err) {
      console.error(`[devbox] terminal: exec into ${team.namespace}/${pod} failed:`, err instanceof Error ? err.message : err);
      throw new Refusal(CloseCode.ExecFailed, "The shell could not be started in the devbox.");
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (opened.session.isEnded) {
        ws.close(CloseCode.ExecFailed, "The shell ended.");
        return;
      }
      opened.session.attach(ws, opened.resumed);
      if (url.searchParams.has("cols")) opened.session.resize(intParam(url, "cols", 80), intParam(url, "rows", 24));
    });
  } catch (err) {
    const refusal = refusalOf(err);
    if (!refusal) console.error("[devbox] terminal handshake failed:", err);
    refuseUpgrade(wss, req, socket, head, refusal ?? new Refusal(CloseCode.ExecFailed, "The terminal could not be opened."));
  }
}

/**
 * A guest joining a terminal shared with them (?share=<id>, lib/terminal/shares.ts): same Origin
 * and session checks, then a member of the devbox's team (developer for a read-write share),
 * named as the share's guest. The guest sees the owner's screen live; a read-write guest types
 * into it. Revocation by the owner closes it (4412); losing team access too (4411).
 */
async function handleGuestUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, teamSlug: string, devboxName: string, shareId: string): Promise<void> {
  if (!/^[0-9a-f]{32}$/.test(shareId)) throw new Refusal(CloseCode.BadRequest, "Bad terminal request.");
  const db = await getDb();
  const user = await upgradeActor(db, req);
  const { team, devbox } = await requireDevboxRole(user, teamSlug, devboxName, "viewer");
  const found = terminalShares().get(shareId);
  if (!found || found.share.devboxId !== devbox.id || found.share.guestId !== user.id)
    throw new Refusal(CloseCode.ShareEnded, "This terminal is not shared with you (any more).");
  const { share, session } = found;
  const minRole = share.mode === "write" ? "developer" : "viewer";
  if (!roleAtLeast(team.role, minRole)) throw new Refusal(CloseCode.Forbidden, "You need the developer role to type in a shared terminal.");
  // Typing through an API token needs what typing in one's own terminal needs (devboxes:write).
  requireTokenAllows(user, { teamId: team.id, minimum: minRole, devboxName: devbox.name });
  wss.handleUpgrade(req, socket, head, (ws) => {
    // The token's revocation or expiry ends the guest's view as it ends the owner's terminal.
    const watch = accessWatcher().watch({ userId: user.id, sessionVersion: user.sessionVersion, sessionId: user.sessionId, teamId: team.id, minRole, tokenId: user.token?.id }, (reason) => closeWith(ws, CloseCode.Revoked, reason));
    ws.on("close", () => watch.stop());
    session.addGuest(ws, share.id, share.mode);
    void recordAudit(db, { actorId: user.id, teamId: team.id, action: "terminal.share.joined", target: devbox.name, details: { devboxId: devbox.id, shareId: share.id, ownerId: share.ownerId, mode: share.mode } }).catch(() => {});
  });
}

registerWebsocketEndpoint(TERMINAL_PATH_PREFIX, (req, socket, head) => {
  // Only the terminal path is ours; other /api/v1/teams/… upgrades fall through to a 404.
  if (!TERMINAL_PATH_RE.test(new URL(req.url ?? "/", "http://localhost").pathname)) {
    socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
    return;
  }
  return handleTerminalUpgrade(req, socket, head);
});

/** Ends every terminal (dashboard shutdown): clients see 1001 and the shells get a hang-up. */
export function closeAllTerminals(): void {
  terminalRegistry().closeAll();
  for (const ws of wss.clients) ws.close(CloseCode.GoingAway, "The dashboard is shutting down.");
}
