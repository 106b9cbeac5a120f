import { EventEmitter } from "node:events";
import { Readable, Writable } from "node:stream";
import { Exec, type KubeConfig, type V1Status } from "@kubernetes/client-node";
import type WebSocket from "ws";

/**
 * One interactive shell in a devbox container over Kubernetes exec, through client-node's
 * `Exec`: it offers `v5.channel.k8s.io` first and falls back to v4 (then older) when the
 * apiserver does not speak it; `protocol` says what was negotiated. TTY on, so stderr is merged
 * into stdout by the terminal.
 *
 * Stdin and resize frames are written here straight to the exec websocket (channel byte 0 / 4 +
 * payload: exactly what client-node's own stdin pump sends) so each write has a completion
 * callback: that is what lets the bridge apply backpressure to the browser. Output flows
 * through `pause()`/`resume()` of that websocket, which stops reading the TCP connection, so the
 * apiserver, the kubelet and finally the program writing to the TTY are held back.
 *
 * Events: "data" (Buffer), "exit" (code: number | null, message: string), "close" (after exit,
 * or without it when the connection broke).
 */
export interface ShellOptions {
  namespace: string;
  pod: string;
  container: string;
  workingDir: string;
  /** The devbox's user; only used when the container runs as root (custom images). */
  user: string;
  cols: number;
  rows: number;
}

const STDIN = 0;
const RESIZE = 4;
const CLOSE = 255;

// A login shell in the working directory. The container already runs as the devbox user (base
// images set `User: 1000:1000`); an image that runs as root gets `su -l` to that user instead.
// TERM is not set by the kubelet for exec. Arguments are passed positionally, never
// interpolated into the script.
const SCRIPT = [
  'export TERM=xterm-256color COLORTERM=truecolor',
  'sh_=/bin/sh; [ -x /bin/bash ] && sh_=/bin/bash',
  'if [ "$(id -u)" = 0 ] && [ "$2" != root ] && id -u "$2" >/dev/null 2>&1; then',
  `  exec su -l "$2" -s "$sh_" -c 'export TERM=xterm-256color COLORTERM=truecolor; cd "$0" 2>/dev/null; exec "\${SHELL:-/bin/sh}" -l' "$1"`,
  'fi',
  'cd "$1" 2>/dev/null || cd',
  'exec "$sh_" -l',
].join("\n");

export function shellCommand(workingDir: string, user: string): string[] {
  return ["/bin/sh", "-c", SCRIPT, "devbox-terminal", workingDir, user];
}

/** Exit code from the status Kubernetes sends on the error channel when the command ends. */
export function exitCodeOf(status: V1Status): number | null {
  if (status.status === "Success") return 0;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  const n = cause?.message !== undefined ? Number(cause.message) : NaN;
  return Number.isInteger(n) ? n : null;
}

export class ShellConnection extends EventEmitter {
  private ws!: WebSocket;
  private exited = false;
  private closed = false;
  protocol = "";

  static async open(kc: KubeConfig, o: ShellOptions): Promise<ShellConnection> {
    const conn = new ShellConnection();
    const stdout = new Writable({
      write(chunk: Buffer, _enc, cb) {
        conn.emit("data", chunk);
        cb();
      },
    });
    // Never yields data: stdin frames are sent by write() below. It only makes Exec ask for stdin.
    const stdin = new Readable({ read() {} });
    const ws = (await new Exec(kc).exec(o.namespace, o.pod, o.container, shellCommand(o.workingDir, o.user), stdout, null, stdin, true, (status) => {
      conn.exited = true;
      conn.emit("exit", exitCodeOf(status), status.message ?? status.status ?? "");
    })) as unknown as WebSocket;
    conn.ws = ws;
    conn.protocol = ws.protocol;
    ws.on("close", () => {
      conn.closed = true;
      conn.emit("close", conn.exited);
    });
    ws.on("error", () => {}); // "close" follows
    conn.resize(o.cols, o.rows);
    return conn;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Bytes queued towards Kubernetes and not yet written to the socket. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  write(data: Buffer, cb?: (err?: Error) => void): void {
    if (this.closed) return cb?.(new Error("closed"));
    const frame = Buffer.allocUnsafe(data.length + 1);
    frame[0] = STDIN;
    data.copy(frame, 1);
    this.ws.send(frame, { binary: true }, cb);
  }

  resize(cols: number, rows: number): void {
    if (this.closed) return;
    this.ws.send(Buffer.concat([Buffer.from([RESIZE]), Buffer.from(JSON.stringify({ Width: cols, Height: rows }))]), { binary: true });
  }

  pause(): void {
    if (!this.closed) this.ws.pause();
  }

  resume(): void {
    if (!this.closed) this.ws.resume();
  }

  /** Ends the shell: closes stdin (v5) and the connection; the TTY hang-up ends the processes. */
  close(): void {
    if (this.closed) return;
    if (this.ws.protocol === "v5.channel.k8s.io") this.ws.send(Buffer.from([CLOSE, STDIN]));
    this.ws.close();
    // Paused sockets do not read the close reply; do not wait for a peer that may be gone.
    this.ws.resume();
    setTimeout(() => this.ws.terminate(), 5000).unref();
  }
}
