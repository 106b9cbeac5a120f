import type { IncomingMessage } from "node:http";
import { Readable, Writable } from "node:stream";
import type { Duplex } from "node:stream";
import { Exec } from "@kubernetes/client-node";
import { WebSocketServer, type WebSocket } from "ws";
import { getDb } from "@/db/client";
import { recordAudit } from "@/lib/audit/record";
import { accessWatcher } from "@/lib/auth/access-watch";
import { actorFromUpgrade } from "@/lib/auth/ws-session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { recordActivity } from "@/lib/idle/activity";
import { CONTAINER_NAME, podName } from "@/lib/devboxes/k8s-objects";
import { deriveStatus } from "@/lib/devboxes/status";
import { EXEC_PATH_RE, MAX_ARGS, MAX_ARGV_BYTES, STDERR, STDOUT, type ExecServerMessage } from "@/lib/exec/protocol";
import { kubeConfig } from "@/lib/k8s/config";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { exitCodeOf } from "@/lib/terminal/exec";
import { CloseCode } from "@/lib/terminal/protocol";
import { registerWebsocketEndpoint } from "../upgrade";
import { keepAlive } from "./heartbeat";
import { closeWith, Refusal, refusalOf, refuseUpgrade } from "./refusal";

/**
 * `devbox exec`: one command in a running devbox over Kubernetes exec without a TTY, stdout and
 * stderr apart, the exit status at the end (protocol: lib/exec/protocol.ts). Authorized like
 * the terminal (token, or cookie + Origin → developer role → Running), re-checked while it runs.
 */
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 * 1024 });
keepAlive(wss);

const send = (ws: WebSocket, m: ExecServerMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));

interface ExecTarget {
  devboxId: string;
  namespace: string;
  pod: string;
  workingDir: string;
  argv: string[];
  userId: string;
  sessionVersion: number;
  sessionId?: string | null;
  teamId: string;
  tokenId?: string;
}

// The program runs in the working directory; arguments are passed positionally, never interpolated.
const RUN = 'cd "$1" 2>/dev/null || cd; shift; exec "$@"';

export async function handleExecUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  socket.on("error", () => {});
  let target: ExecTarget;
  try {
    const url = new URL(req.url ?? "/", "http://localhost");
    const m = EXEC_PATH_RE.exec(url.pathname);
    const argv = url.searchParams.getAll("argv");
    if (!m || argv.length === 0 || argv.length > MAX_ARGS || argv.join("").length > MAX_ARGV_BYTES || argv.some((a) => a.includes("\0")))
      throw new Refusal(CloseCode.BadRequest, "Bad exec request: name the command as argv=…");
    const db = await getDb();
    const user = await actorFromUpgrade(db, req.headers);
    const { team, devbox } = await requireDevboxRole(user, decodeURIComponent(m[1]), decodeURIComponent(m[2]), "developer");
    const status = deriveStatus(devbox, devboxPodCache().podsOf(devbox.id));
    if (status.state !== "Running" || status.podName !== podName(devbox))
      throw new Refusal(CloseCode.NotRunning, `The devbox is ${status.state.toLowerCase()}: start it first.`);
    recordActivity(devbox.id, "exec", user.id);
    target = { devboxId: devbox.id, namespace: team.namespace, pod: podName(devbox), workingDir: devbox.workingDir, argv, userId: user.id, sessionVersion: user.sessionVersion, sessionId: user.sessionId, teamId: team.id, tokenId: user.token?.id };
    await recordAudit(db, { actorId: user.id, teamId: team.id, action: "devbox.exec", target: devbox.name, details: { argv0: argv[0].slice(0, 200) } });
  } catch (err) {
    const refusal = refusalOf(err);
    if (!refusal) console.error("[devbox] exec handshake failed:", err);
    return refuseUpgrade(wss, req, socket, head, refusal ?? new Refusal(CloseCode.ExecFailed, "The command could not be started."));
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on("error", () => {});
    run(ws, target).catch((err) => {
      console.error("[devbox] exec failed:", err instanceof Error ? err.message : err);
      closeWith(ws, CloseCode.ExecFailed, "The command could not be started in the devbox.");
    });
  });
}

async function run(ws: WebSocket, t: ExecTarget): Promise<void> {
  // Output towards the client; Kubernetes is not read further while the client lags (backpressure).
  const framed = (channel: number) =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (ws.readyState !== ws.OPEN) return cb();
        // A long-running command that prints keeps the devbox up (coalesced: cheap per chunk).
        recordActivity(t.devboxId, "exec", t.userId);
        ws.send(Buffer.concat([Buffer.from([channel]), chunk]), { binary: true }, () => cb());
      },
    });
  const stdin = new Readable({ read() {} });
  ws.on("message", (data, isBinary) => {
    if (isBinary) stdin.push(Buffer.from(data as Buffer));
    else if (data.toString().includes('"eof"')) stdin.push(null);
  });
  let ended = false;
  const k8s = await new Exec(kubeConfig()).exec(t.namespace, t.pod, CONTAINER_NAME, ["/bin/sh", "-c", RUN, "devbox-exec", t.workingDir, ...t.argv], framed(STDOUT), framed(STDERR), stdin, false, (status) => {
    ended = true;
    send(ws, { type: "exit", code: exitCodeOf(status), ...(status.message ? { message: status.message } : {}) });
    ws.close(CloseCode.Normal, "exited");
  });
  const access = accessWatcher().watch({ userId: t.userId, sessionVersion: t.sessionVersion, sessionId: t.sessionId, teamId: t.teamId, minRole: "developer", tokenId: t.tokenId }, (reason) => closeWith(ws, CloseCode.Revoked, reason));
  ws.on("close", () => {
    access.stop();
    stdin.push(null);
    if (!ended) k8s.close();
  });
  k8s.on("close", () => {
    if (!ended && ws.readyState === ws.OPEN) closeWith(ws, CloseCode.ExecFailed, "The connection to the devbox broke.");
  });
}

registerWebsocketEndpoint(EXEC_PATH_RE, handleExecUpgrade);

/** Ends every exec (dashboard shutdown). */
export function closeAllExecs(): void {
  for (const ws of wss.clients) ws.close(CloseCode.GoingAway, "The dashboard is shutting down.");
}
