import type WebSocket from "ws";
import type { Devbox } from "@/db/schema/devboxes";
import { CloseCode, FLOW_WINDOW, parseClientMessage, type ServerMessage } from "./protocol";
import { ReplayBuffer } from "./replay-buffer";
import { recordActivity } from "@/lib/idle/activity";
import type { ShellConnection } from "./exec";

/**
 * Terminal sessions that outlive their websocket.
 *
 * Why a server-side session with a replay buffer, not tmux/dtach inside the devbox: it works
 * with every image a devbox can run (the runtimes, users' snapshots, custom images) without
 * adding a package to each, the shell sees a plain TTY (xterm's own scrollback, selection and
 * mouse work; no prefix keys, no nested TERM), and the bridge stays one exec stream whose flow
 * control we own. The price: a session lives in the dashboard process that opened it, so a
 * dashboard restart ends it (the shell gets a hang-up) and with several replicas the proxy must
 * keep a client on one replica (sticky sessions) to resume. The replay is the last
 * REPLAY_BYTES of output, cut at a line start, not a full screen-state snapshot.
 *
 * While detached, output keeps being read (a build keeps running, like in tmux) into the
 * bounded replay buffer; a session detached for longer than DETACHED_TTL_MS is ended.
 */

export const REPLAY_BYTES = 256 * 1024;
export const DETACHED_TTL_MS = Number(process.env.DEVBOX_TERMINAL_DETACHED_TTL_SECONDS ?? 30 * 60) * 1000;
export const MAX_SESSIONS_PER_USER = Number(process.env.DEVBOX_TERMINAL_MAX_SESSIONS ?? 32);
/** Stdin bytes queued towards Kubernetes before the browser socket stops being read. */
const INPUT_HIGH = 1024 * 1024;

export interface SessionOwner {
  userId: string;
  devbox: Pick<Devbox, "id" | "teamId" | "name" | "podGeneration">;
  pod: string;
}

/** Output queued towards one guest before it is dropped (guests do not hold the shell back). */
const GUEST_MAX_BUFFER = 4 * 1024 * 1024;

export type GuestMode = "read" | "write";

export class TerminalSession {
  readonly replay = new ReplayBuffer(REPLAY_BYTES);
  private client: WebSocket | null = null;
  private attachments = 0;
  /** Teammates watching (read) or typing too (write): lib/terminal/shares.ts. Output flow follows the owner only. */
  private guests = new Map<WebSocket, { mode: GuestMode; shareId: string }>();
  private sent = 0;
  private acked = 0;
  private outputPaused = false;
  private inputPaused = false;
  private inputQueued = 0;
  private detachedTimer: NodeJS.Timeout | null = null;
  private ended = false;

  constructor(
    readonly key: string,
    readonly id: string,
    readonly owner: SessionOwner,
    private readonly shell: ShellConnection,
    private readonly onEnd: (s: TerminalSession) => void,
  ) {
    shell.on("data", (chunk: Buffer) => this.output(chunk));
    shell.on("exit", (code: number | null, message: string) => {
      this.end(CloseCode.Normal, code === null ? "The shell ended." : `The shell exited with status ${code}.`, { type: "exit", code, message });
    });
    shell.on("close", () => this.end(CloseCode.ExecFailed, "The connection to the devbox was lost."));
    this.startDetachedTimer();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  get attached(): boolean {
    return this.client !== null;
  }

  /** Moves on every owner or guest attach: a notice sent before (e.g. to a tab being reloaded) is sent again. */
  get attachCount(): number {
    return this.attachments;
  }

  /** Attaches a browser socket, replacing (and closing) any previous one. */
  attach(ws: WebSocket, resumed: boolean): void {
    if (this.client) this.closeClient(this.client, CloseCode.TakenOver, "Opened in another tab.");
    if (this.detachedTimer) clearTimeout(this.detachedTimer);
    this.detachedTimer = null;
    this.client = ws;
    this.attachments++;
    this.sent = this.acked = 0;
    const replay = resumed ? this.replay.snapshot() : Buffer.alloc(0);
    this.sendJson({ type: "session", id: this.id, resumed, replayBytes: replay.length });
    if (replay.length) this.sendData(replay);

    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (this.client !== ws) return;
      if (isBinary) this.input(data);
      else this.control(data.toString("utf8"));
    });
    ws.on("close", () => this.detach(ws));
    ws.on("error", () => {});
    this.updateOutputFlow();
  }

  /** A notice for everyone on this terminal (owner and guests), e.g. the idle warning; not output. */
  notify(message: ServerMessage): void {
    this.sendJson(message);
    for (const g of this.guests.keys()) if (g.readyState === 1) g.send(JSON.stringify(message));
  }

  /** Attaches a guest of a shared terminal: the recent output, then everything live. */
  addGuest(ws: WebSocket, shareId: string, mode: GuestMode): void {
    this.guests.set(ws, { mode, shareId });
    this.attachments++;
    const replay = this.replay.snapshot();
    ws.send(JSON.stringify({ type: "session", id: this.id, resumed: true, replayBytes: replay.length, mode } satisfies ServerMessage));
    if (replay.length) ws.send(replay, { binary: true });
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      // Read-only guests cannot type; nobody but the owner resizes or ends the shell.
      if (isBinary && this.guests.get(ws)?.mode === "write" && !this.ended) {
        recordActivity(this.owner.devbox.id, "terminal-input", null);
        this.shell.write(data);
      }
      else if (!isBinary) {
        const msg = parseClientMessage(data.toString("utf8"));
        if (msg?.type === "ping" && ws.readyState === 1) ws.send(JSON.stringify({ type: "pong", t: msg.t } satisfies ServerMessage));
      }
    });
    ws.on("close", () => this.guests.delete(ws));
    ws.on("error", () => {});
  }

  /** Closes the guests of one share (revoked) or all of them. */
  closeGuests(code: number, reason: string, shareId?: string): void {
    for (const [ws, g] of [...this.guests]) {
      if (shareId && g.shareId !== shareId) continue;
      this.guests.delete(ws);
      this.closeClient(ws, code, reason);
    }
  }

  get guestCount(): number {
    return this.guests.size;
  }

  resize(cols: number, rows: number): void {
    this.shell.resize(cols, rows);
  }

  /** Ends the session: tells the client why, closes it, hangs up the shell. */
  end(code: number, reason: string, message?: ServerMessage): void {
    if (this.ended) return;
    this.ended = true;
    if (this.detachedTimer) clearTimeout(this.detachedTimer);
    const ws = this.client;
    if (ws) {
      if (message) this.sendJson(message);
      this.closeClient(ws, code, reason, !message);
    }
    this.client = null;
    this.closeGuests(code, reason);
    this.shell.close();
    this.onEnd(this);
  }

  private input(data: Buffer): void {
    const ws = this.client!;
    recordActivity(this.owner.devbox.id, "terminal-input", this.owner.userId);
    this.inputQueued += data.length;
    this.shell.write(data, () => {
      this.inputQueued -= data.length;
      if (this.inputPaused && this.inputQueued < INPUT_HIGH / 2) {
        this.inputPaused = false;
        if (this.client === ws) ws.resume();
      }
    });
    if (!this.inputPaused && this.inputQueued > INPUT_HIGH) {
      // A huge paste faster than the devbox takes it: stop reading the browser socket.
      this.inputPaused = true;
      ws.pause();
    }
  }

  private control(text: string): void {
    const msg = parseClientMessage(text);
    if (!msg) return;
    if (msg.type === "resize") this.shell.resize(msg.cols, msg.rows);
    else if (msg.type === "ping") this.sendJson({ type: "pong", t: msg.t });
    else if (msg.type === "close") this.end(CloseCode.Closed, "Terminal closed.");
    else if (msg.type === "ack") {
      this.acked = Math.min(this.sent, this.acked + msg.bytes);
      this.updateOutputFlow();
    }
  }

  private output(chunk: Buffer): void {
    // A long build's output keeps the devbox up; an idle shell prints nothing (pings and acks do not count).
    recordActivity(this.owner.devbox.id, "terminal-output", this.owner.userId);
    this.replay.push(chunk);
    if (this.client) this.sendData(chunk);
    for (const g of this.guests.keys()) {
      if (g.readyState !== 1) continue;
      if (g.bufferedAmount > GUEST_MAX_BUFFER) this.closeClient(g, CloseCode.GoingAway, "Your connection is too slow to follow this terminal.");
      else g.send(chunk, { binary: true });
    }
  }

  private sendData(chunk: Buffer): void {
    const ws = this.client!;
    this.sent += chunk.length;
    ws.send(chunk, { binary: true }, () => this.updateOutputFlow());
    this.updateOutputFlow();
  }

  /**
   * Output backpressure: reading from Kubernetes stops while the client has more than
   * FLOW_WINDOW bytes unacknowledged or the socket towards it holds more than that (a client
   * that acks without reading). Detached sessions read freely into the bounded replay buffer.
   */
  private updateOutputFlow(): void {
    const ws = this.client;
    const unacked = this.sent - this.acked;
    const buffered = ws?.bufferedAmount ?? 0;
    if (!ws) {
      if (this.outputPaused) this.shell.resume();
      this.outputPaused = false;
    } else if (!this.outputPaused && (unacked > FLOW_WINDOW || buffered > FLOW_WINDOW)) {
      this.outputPaused = true;
      this.shell.pause();
    } else if (this.outputPaused && unacked <= FLOW_WINDOW / 2 && buffered <= FLOW_WINDOW / 2) {
      this.outputPaused = false;
      this.shell.resume();
    }
  }

  private detach(ws: WebSocket): void {
    if (this.client !== ws) return;
    this.client = null;
    if (this.inputPaused) this.inputPaused = false;
    this.updateOutputFlow();
    if (!this.ended) this.startDetachedTimer();
  }

  private startDetachedTimer(): void {
    if (this.client || this.ended) return;
    this.detachedTimer = setTimeout(() => this.end(CloseCode.GoingAway, "Detached for too long."), DETACHED_TTL_MS);
    this.detachedTimer.unref();
  }

  private sendJson(msg: ServerMessage): void {
    if (this.client?.readyState === 1) this.client.send(JSON.stringify(msg));
  }

  private closeClient(ws: WebSocket, code: number, reason: string, explain = true): void {
    if (ws.readyState === 1) {
      if (explain) ws.send(JSON.stringify({ type: "error", code, message: reason } satisfies ServerMessage));
      ws.close(code, reason.slice(0, 120));
    }
    if (this.client === ws) this.client = null;
  }
}
