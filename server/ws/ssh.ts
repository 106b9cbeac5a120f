import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { V1Pod } from "@kubernetes/client-node";
import { getDb } from "@/db/client";
import type { Devbox } from "@/db/schema/devboxes";
import { recordAudit } from "@/lib/audit/record";
import { accessWatcher } from "@/lib/auth/access-watch";
import { actorFromUpgrade } from "@/lib/auth/ws-session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import type { Actor } from "@/lib/authz/team-access";
import { requireTokenAllows } from "@/lib/authz/token-scope";
import { podName, secretName } from "@/lib/devboxes/k8s-objects";
import { findDevbox } from "@/lib/devboxes/queries";
import { startDevbox } from "@/lib/devboxes/service";
import { recordActivity } from "@/lib/idle/activity";
import { BurstGate } from "@/lib/idle/burst-gate";
import { deriveStatus } from "@/lib/devboxes/status";
import { kubeConfig } from "@/lib/k8s/config";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { SshUnavailable, syncAuthorizedKeys } from "@/lib/ssh/authorized-keys";
import { SSH_PATH_RE, SshCloseCode, type SshServerMessage } from "@/lib/ssh/protocol";
import { sshBridge } from "@/lib/ssh/bridge";
import { openSshPipe } from "@/lib/ssh/tunnel";
import type { TeamWithRole } from "@/lib/teams/queries";
import { registerWebsocketEndpoint } from "../upgrade";
import { keepAlive } from "./heartbeat";
import { closeWith, Refusal, refusalOf, refuseUpgrade } from "./refusal";

/**
 * SSH over a websocket (protocol: lib/ssh/protocol.ts): `devbox ssh --stdio` on one side, the
 * devbox's sshd on port 22 on the other, by TCP to the Pod IP or Kubernetes port-forward (lib/ssh/tunnel.ts).
 * The handshake is authorized like the terminal: token or cookie+Origin (4401/4403) → developer
 * role and, for a token, the devboxes:ssh scope and its restrictions (4404/4406) → the devbox
 * runs (4409), or is started first when the caller may start it → authorized_keys is current
 * (lib/ssh/authorized-keys.ts; 4503 when the devbox has no sshd) → the bytes flow. While open,
 * the grant and the token are re-checked every few seconds (4411, lib/auth/access-watch.ts). Each connection is audited.
 */
const SSH_PORT = 22;
const START_TIMEOUT_MS = 180_000;
/** What a client may send before the pipe to sshd is open (an SSH client sends ~2 KiB and waits). */
const EARLY_LIMIT_BYTES = 256 * 1024;

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 4 * 1024 * 1024 });
keepAlive(wss);

const send = (ws: WebSocket, m: SshServerMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));

function refusalFor(err: unknown): Refusal {
  if (err instanceof SshUnavailable) return new Refusal(SshCloseCode.NoSsh, err.message);
  const r = refusalOf(err);
  if (r) return r;
  console.error("[devbox] ssh handshake failed:", err);
  return new Refusal(SshCloseCode.Failed, "The SSH connection could not be opened.");
}

export async function handleSshUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  socket.on("error", () => {});
  const m = SSH_PATH_RE.exec(new URL(req.url ?? "/", "http://localhost").pathname);
  const db = await getDb();
  let user: Actor, team: TeamWithRole, devbox: Devbox;
  try {
    if (!m) throw new Refusal(SshCloseCode.BadRequest, "Bad SSH request.");
    user = await actorFromUpgrade(db, req.headers);
    ({ team, devbox } = await requireDevboxRole(user, decodeURIComponent(m[1]), decodeURIComponent(m[2]), "developer", { scope: "devboxes:ssh" }));
  } catch (err) {
    return refuseUpgrade(wss, req, socket, head, refusalFor(err));
  }
  // From here on the client is told what happens (a start can take a while).
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on("error", () => {});
    // The client starts talking (its SSH banner and key exchange offer, a few KiB) at once; hold it
    // until the pipe is open — bounded, since a start may take minutes.
    const early: Buffer[] = [];
    let earlyBytes = 0;
    const hold = (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      earlyBytes += data.length;
      if (earlyBytes > EARLY_LIMIT_BYTES) closeWith(ws, SshCloseCode.BadRequest, "Too much data sent before the devbox's SSH server answered.");
      else early.push(data);
    };
    ws.on("message", hold);
    connect(ws, user, team, devbox, () => (ws.off("message", hold), early)).catch((err) => {
      const r = refusalFor(err);
      closeWith(ws, r.code, r.message);
    });
  });
}

async function connect(ws: WebSocket, user: Actor, team: TeamWithRole, devbox: Devbox, takeEarly: () => Buffer[]): Promise<void> {
  const db = await getDb();
  const pod = await runningPod(ws, user, team, devbox);
  if (ws.readyState !== ws.OPEN) return;
  const kc = kubeConfig();
  // The keys and the pipe are made ready together (a connection's latency is the slower of the
  // two); no byte reaches sshd before the keys are in place.
  const keysReady = syncAuthorizedKeys(kc, db, { namespace: team.namespace, pod: pod.metadata!.name!, podUid: pod.metadata!.uid!, secretName: secretName(devbox), teamId: team.id });

  // Keepalives of an idle session are not activity (lib/idle/burst-gate.ts).
  const burst = new BurstGate();
  const bridge = sshBridge(ws, {
    traffic() {
      if (burst.packet()) recordActivity(devbox.id, "ssh", user.id);
    },
    end(error) {
      if (error) closeWith(ws, SshCloseCode.Failed, `The devbox's SSH server closed the connection: ${error}`);
      else ws.close(SshCloseCode.Normal, "");
    },
  });
  const opening = openSshPipe(kc, { namespace: team.namespace, name: pod.metadata!.name!, ip: pod.status!.podIP! }, SSH_PORT, bridge.events);
  const [{ pipe, transport }] = await Promise.allSettled([opening, keysReady]).then(([o, k]) => {
    if (k.status === "rejected") {
      if (o.status === "fulfilled") o.value.pipe.close();
      throw k.reason;
    }
    if (o.status === "rejected") throw o.reason;
    return [o.value];
  });
  if (ws.readyState !== ws.OPEN) return pipe.close();
  bridge.attach(pipe, takeEarly());

  // Revocation (membership, role, sign-out, the token): the shared watcher, one batched re-read.
  const tokenId = user.token?.id;
  const access = accessWatcher().watch({ userId: user.id, sessionVersion: user.sessionVersion, sessionId: user.sessionId, teamId: team.id, minRole: "developer", tokenId }, (reason) =>
    closeWith(ws, SshCloseCode.Revoked, reason),
  );
  ws.on("close", () => {
    access.stop();
    pipe.close();
  });
  await recordAudit(db, {
    actorId: user.id,
    teamId: team.id,
    action: "devbox.ssh",
    target: devbox.name,
    details: { via: tokenId ? "token" : "session", ...(tokenId ? { tokenId } : {}), transport },
  });
}

/** The devbox's running Pod; a stopped devbox is started first when the caller may start it. */
async function runningPod(ws: WebSocket, user: Actor, team: TeamWithRole, devbox: Devbox): Promise<V1Pod> {
  const db = await getDb();
  const pods = devboxPodCache();
  let d = devbox;
  let status = deriveStatus(d, pods.podsOf(d.id));
  if (status.state === "Stopped") {
    // Only the CLI (a token) is started for; a browser session has no use for an SSH stream.
    if (!user.token) throw new Refusal(SshCloseCode.NotRunning, "The devbox is stopped: start it to connect.");
    try {
      requireTokenAllows(user, { teamId: team.id, minimum: "developer", devboxName: d.name });
    } catch {
      throw new Refusal(SshCloseCode.NotRunning, "The devbox is stopped, and this API token may not start it (it needs devboxes:write): start it first.");
    }
    send(ws, { type: "status", message: `Starting devbox ${d.name}…` });
    d = await startDevbox(db, team, user.id, d.name);
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    status = deriveStatus(d, pods.podsOf(d.id));
    if (status.state === "Running") break;
    if (["Stopping", "Stopped", "Error", "Deleting"].includes(status.state) && d.desiredState !== "running")
      throw new Refusal(SshCloseCode.NotRunning, `The devbox is ${status.state.toLowerCase()}: start it to connect.`);
    if (status.state === "Error") throw new Refusal(SshCloseCode.NotRunning, `The devbox is in error${status.reason ? `: ${status.reason}` : ""}.`);
    if (Date.now() > deadline || ws.readyState !== ws.OPEN) throw new Refusal(SshCloseCode.NotRunning, `The devbox did not start in time (${status.state}).`);
    await new Promise((r) => setTimeout(r, 300));
    d = (await findDevbox(db, team.id, d.name)) ?? d;
  }
  const pod = pods.podsOf(d.id).find((p) => p.metadata?.name === podName(d));
  if (!pod?.status?.podIP) throw new Refusal(SshCloseCode.NotRunning, "The devbox's Pod is not ready yet: try again in a moment.");
  return pod;
}

registerWebsocketEndpoint(SSH_PATH_RE, handleSshUpgrade);

/** Ends every SSH connection (dashboard shutdown). */
export function closeAllSsh(): void {
  for (const ws of wss.clients) ws.close(SshCloseCode.GoingAway, "The dashboard is shutting down.");
}
