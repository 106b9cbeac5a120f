import WebSocket from "ws";
import { ACK_EVERY, type ClientMessage, type ServerMessage } from "./protocol";

/**
 * A terminal websocket client for Node (integration tests, the benchmark, scripts): speaks the
 * protocol of protocol.ts like the browser does, acking output as it arrives unless told not to.
 */
export interface TerminalClientOptions {
  cookie?: string;
  /** An API token (the CLI's way in): sent as `Authorization: Bearer`. */
  token?: string;
  origin?: string;
  /** Ack output automatically (default true); false to act like a client that stopped reading. */
  autoAck?: boolean;
  /** Keep at most this many trailing bytes of output in `text` (default 1 MiB). */
  keep?: number;
}

export interface Closed {
  code: number;
  reason: string;
}

export class TerminalClient {
  readonly messages: ServerMessage[] = [];
  /** Total output bytes received. */
  received = 0;
  private out = "";
  private unacked = 0;
  private waiters: (() => boolean)[] = [];
  readonly closed: Promise<Closed>;
  readonly opened: Promise<void>;
  autoAck: boolean;
  onData?: (chunk: Buffer) => void;

  constructor(
    readonly ws: WebSocket,
    private readonly opts: TerminalClientOptions = {},
  ) {
    this.autoAck = opts.autoAck ?? true;
    ws.binaryType = "nodebuffer";
    this.opened = new Promise((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    this.closed.then(() => this.wake());
    ws.on("message", (data: Buffer, isBinary) => {
      if (isBinary) {
        this.received += data.length;
        this.onData?.(data);
        this.out += data.toString("latin1");
        const keep = this.opts.keep ?? 1 << 20;
        if (this.out.length > keep * 2) this.out = this.out.slice(-keep);
        this.unacked += data.length;
        // Acks in ACK_EVERY steps: the window is much larger, so small output never waits.
        if (this.autoAck && this.unacked >= ACK_EVERY) this.ack();
      } else {
        this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      }
      this.wake();
    });
  }

  static connect(url: string, opts: TerminalClientOptions = {}): TerminalClient {
    const headers: Record<string, string> = {};
    if (opts.cookie) headers.cookie = opts.cookie;
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    return new TerminalClient(new WebSocket(url, { headers, origin: opts.origin, perMessageDeflate: false }), opts);
  }

  /** Output so far, as text (latin1, so byte-accurate for ASCII tests). */
  get text(): string {
    return this.out;
  }

  clearText(): void {
    this.out = "";
  }

  /** Acks every byte received so far (or `bytes`). */
  ack(bytes = this.unacked): void {
    this.unacked -= bytes;
    this.control({ type: "ack", bytes });
  }

  get pendingAck(): number {
    return this.unacked;
  }

  send(data: string | Buffer): void {
    this.ws.send(typeof data === "string" ? Buffer.from(data) : data, { binary: true });
  }

  control(msg: ClientMessage): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** Resolves when `check` holds (checked on every frame and close), rejects after timeoutMs. */
  until<T>(what: string, check: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== test);
        reject(new Error(`timed out waiting for ${what}; output tail: ${JSON.stringify(this.out.slice(-400))}`));
      }, timeoutMs);
      const test = () => {
        let v: T | undefined | false;
        try {
          v = check();
        } catch (err) {
          clearTimeout(timer);
          reject(err);
          return true;
        }
        if (v === undefined || v === false) return false;
        clearTimeout(timer);
        resolve(v);
        return true;
      };
      if (!test()) this.waiters.push(test);
    });
  }

  waitForText(re: RegExp | string, timeoutMs?: number): Promise<RegExpMatchArray> {
    const r = typeof re === "string" ? new RegExp(re.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : re;
    return this.until(`output matching ${r}`, () => this.out.match(r) ?? undefined, timeoutMs);
  }

  waitForMessage<K extends ServerMessage["type"]>(type: K, timeoutMs?: number): Promise<Extract<ServerMessage, { type: K }>> {
    return this.until(`a '${type}' message`, () => this.messages.find((m): m is Extract<ServerMessage, { type: K }> => m.type === type), timeoutMs);
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => !w());
  }
}
