import net from "node:net";
import { Readable, Writable } from "node:stream";
import { PortForward, type KubeConfig } from "@kubernetes/client-node";
// Not re-exported by the package index; PortForward takes it to let us choose the socket's options.
import { WebSocketHandler } from "@kubernetes/client-node/dist/web-socket-handler.js";
import WebSocket from "ws";
import { ReadBuffers, RELAY_READ_BYTES } from "./read-buffers";

/**
 * A byte pipe to a port of a Pod. Two transports:
 *  - "direct": a TCP connection to the Pod IP, the way the preview proxy (server/preview.ts)
 *    reaches devbox ports (the team NetworkPolicy admits the dashboard on every port). The relay
 *    reads into reusable buffers (./read-buffers.ts).
 *  - "port-forward": the Kubernetes port-forward subresource over a websocket to the apiserver
 *    (client-node's PortForward; we write the data frames to its websocket ourselves, as
 *    lib/terminal/exec.ts does for exec, to get write callbacks), so the dashboard needs no
 *    network path to Pods, only the API, and RBAC `pods/portforward` decides. It costs the
 *    apiserver, kubelet and containerd CPU per byte, so writes made while one frame is on its
 *    way leave as one frame.
 * DEVBOX_SSH_TRANSPORT picks one; unset ("auto") tries direct and falls back to port-forward when
 * the Pod network does not answer from here (a dashboard outside the cluster network), and
 * remembers that for a while (openSshPipe). bench/ssh.ts measures both.
 * Writes take a completion callback and reads can be paused, so the websocket bridge
 * (./bridge.ts) holds back a fast sender instead of buffering without bound.
 */
export interface PodPipe {
  write(data: Buffer, cb: (err?: Error) => void): void;
  /** Bytes queued but not yet sent. */
  readonly buffered: number;
  pause(): void;
  resume(): void;
  close(): void;
}

export interface PipeEvents {
  /** Bytes from the Pod: `chunk` may be a reused read buffer, valid until `done()` is called. */
  data(chunk: Buffer, done: () => void): void;
  /** The pipe ended; `error` says why when it was not a normal close. */
  end(error?: string): void;
}

export type SshTransport = "port-forward" | "direct";
export type SshTransportSetting = SshTransport | "auto";

export function sshTransportSetting(env: Record<string, string | undefined> = process.env): SshTransportSetting {
  const v = env.DEVBOX_SSH_TRANSPORT?.trim();
  return v === "direct" || v === "port-forward" ? v : "auto";
}

const DATA = 0;
const noop = () => {};
// However much queued up, one port-forward frame carries at most this much.
const MAX_FRAME = 256 * 1024;

/**
 * The apiserver's websocket as client-node opens it, with our options: no compression, and a zero
 * mask (masking protects proxies from bytes a browser page chose; this is TLS to the apiserver,
 * and ws then skips its per-byte XOR and the copy that goes with it).
 */
const apiserverSocket = (uri: string, protocols: string[], opts: WebSocket.ClientOptions) =>
  new WebSocket(uri, protocols, { ...opts, perMessageDeflate: false, generateMask: (mask) => void mask.fill(0) });

export async function openPortForward(kc: KubeConfig, namespace: string, pod: string, port: number, on: PipeEvents): Promise<PodPipe> {
  let ended = false;
  const end = (error?: string) => {
    if (ended) return;
    ended = true;
    on.end(error);
  };
  let errorText = "";
  const sink = (fn: (b: Buffer) => void) => new Writable({ write: (chunk: Buffer, _e, cb) => (fn(chunk), cb()) });
  // Our frames go straight to the websocket; client-node's own stdin pump gets a stream that never speaks.
  const silent = new Readable({ read() {} });
  const ws = (await new PortForward(kc, true, new WebSocketHandler(kc, apiserverSocket)).portForward(
    namespace,
    pod,
    [port],
    sink((b) => b.length && on.data(b, noop)),
    sink((b) => (errorText += b.toString("utf8"))),
    silent,
  )) as unknown as WebSocket;
  ws.on("close", () => end(errorText.trim() || undefined));
  ws.on("error", (err) => end(err.message));

  // Writes made while a frame is on its way wait here and leave as one frame when it is sent.
  let queued: Buffer[] = [];
  let queuedCbs: ((err?: Error) => void)[] = [];
  let queuedBytes = 0;
  let sending = false;
  const flush = () => {
    if (!queued.length) return void (sending = false);
    if (ws.readyState !== ws.OPEN) {
      for (const cb of queuedCbs.splice(0)) cb(new Error("closed"));
      queued = [];
      queuedBytes = 0;
      return void (sending = false);
    }
    let n = 0;
    let bytes = 0;
    while (n < queued.length && (n === 0 || bytes + queued[n].length <= MAX_FRAME)) bytes += queued[n++].length;
    const frame = Buffer.allocUnsafe(1 + bytes);
    frame[0] = DATA;
    let at = 1;
    for (const b of queued.splice(0, n)) at += b.copy(frame, at);
    const cbs = queuedCbs.splice(0, n);
    queuedBytes -= bytes;
    sending = true;
    ws.send(frame, { binary: true }, (err) => {
      for (const cb of cbs) cb(err ?? undefined);
      flush();
    });
  };
  return {
    write(data, cb) {
      if (ws.readyState !== ws.OPEN) return cb(new Error("closed"));
      queued.push(data);
      queuedCbs.push(cb);
      queuedBytes += data.length;
      if (!sending) flush();
    },
    get buffered() {
      return ws.bufferedAmount + queuedBytes;
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close: () => ws.close(),
  };
}

/** The Pod network did not answer (no route, or no answer in time): a dashboard outside the cluster network. */
export class PodNetworkUnreachable extends Error {}

const DIRECT_CONNECT_TIMEOUT_MS = 3000;
const UNREACHABLE_CODES = new Set(["EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "EHOSTDOWN", "ENETDOWN"]);

export function openDirect(host: string, port: number, on: PipeEvents, connectTimeoutMs = DIRECT_CONNECT_TIMEOUT_MS): Promise<PodPipe> {
  return new Promise((resolve, reject) => {
    const reads = new ReadBuffers(RELAY_READ_BYTES);
    const sock = net.connect({ host, port, noDelay: true, onread: reads.onread((chunk, done) => on.data(chunk, done)) });
    let connected = false;
    let ended = false;
    // A failed connect is the caller's to handle (a rejection), never an `end` of a pipe it never got.
    const end = (error?: string) => {
      if (ended || !connected) return;
      ended = true;
      on.end(error);
    };
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new PodNetworkUnreachable(`no answer from ${host}:${port} in ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    sock.on("close", () => end());
    sock.on("error", (err: NodeJS.ErrnoException) => {
      if (connected) return end(err.message);
      clearTimeout(timer);
      reject(err.code && UNREACHABLE_CODES.has(err.code) ? new PodNetworkUnreachable(`${host}:${port}: ${err.message}`) : err);
    });
    sock.on("connect", () => {
      clearTimeout(timer);
      connected = true;
      resolve({
        write: (data, cb) => void sock.write(data, (err) => cb(err ?? undefined)),
        get buffered() {
          return sock.writableLength;
        },
        pause: () => sock.pause(),
        resume: () => sock.resume(),
        close: () => sock.end(),
      });
    });
  });
}

// After a direct connection found the Pod network unreachable, "auto" goes straight to
// port-forward for this long (one probe per period, not a timeout per connection).
const UNREACHABLE_FOR_MS = 10 * 60_000;
/** Until when "auto" skips the direct attempt (this process's memory of the last failed one). */
export const podNetwork = { unreachableUntil: 0 };

/**
 * A pipe to port `port` of the Pod by the configured transport (sshTransportSetting). "auto"
 * connects directly and falls back to port-forward when the Pod network is unreachable from
 * here; any other failure (sshd refusing, the Pod gone) is the caller's.
 */
export async function openSshPipe(
  kc: KubeConfig,
  pod: { namespace: string; name: string; ip: string },
  port: number,
  on: PipeEvents,
  opts: { setting?: SshTransportSetting; connectTimeoutMs?: number } = {},
): Promise<{ pipe: PodPipe; transport: SshTransport }> {
  const setting = opts.setting ?? sshTransportSetting();
  const viaPortForward = async () => ({ pipe: await openPortForward(kc, pod.namespace, pod.name, port, on), transport: "port-forward" as const });
  if (setting === "port-forward" || (setting === "auto" && Date.now() < podNetwork.unreachableUntil)) return viaPortForward();
  try {
    return { pipe: await openDirect(pod.ip, port, on, opts.connectTimeoutMs), transport: "direct" };
  } catch (err) {
    if (setting === "direct" || !(err instanceof PodNetworkUnreachable)) throw err;
    podNetwork.unreachableUntil = Date.now() + UNREACHABLE_FOR_MS;
    console.warn(`[devbox] ssh: the Pod network is not reachable from this dashboard (${err.message}); using Kubernetes port-forward for ${UNREACHABLE_FOR_MS / 60_000} min`);
    return viaPortForward();
  }
}
