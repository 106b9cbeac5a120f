import net from "node:net";
import { Readable, Writable } from "node:stream";
import { PortForward, type KubeConfig } from "@kubernetes/client-node";
// Not re-exported by the package index; PortForward takes it to let us choose the socket's options.
import { WebSocketHandler } from "@kubernetes/client-node/dist/web-socket-handler.js";
import WebSocket from "ws";

/**
 * A byte pipe to a port of a Pod. Two transports:
 *  - "port-forward" (default): the Kubernetes port-forward subresource over a websocket to the
 *    apiserver (client-node's PortForward; we write the data frames to its websocket ourselves,
 *    as lib/terminal/exec.ts does for exec, to get write callbacks), so the dashboard needs
 *    no network path to Pods, only the API, and RBAC `pods/portforward` decides.
 *  - "direct": a TCP connection to the Pod IP, for installs where the dashboard runs in the
 *    cluster network; bench/ssh.ts measures both (DEVBOX_SSH_TRANSPORT).
 * Writes take a completion callback and reads can be paused, so the websocket bridge
 * (server/ws/ssh.ts) holds back a fast sender instead of buffering without bound.
 * Port-forward costs CPU in the apiserver, kubelet and containerd per frame, so writes made while
 * one is on its way are sent as one frame (bench/ssh.ts).
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
  data(chunk: Buffer): void;
  /** The pipe ended; `error` says why when it was not a normal close. */
  end(error?: string): void;
}

export type SshTransport = "port-forward" | "direct";

export function sshTransport(): SshTransport {
  return process.env.DEVBOX_SSH_TRANSPORT === "direct" ? "direct" : "port-forward";
}

const DATA = 0;
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
    sink((b) => b.length && on.data(b)),
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

export function openDirect(host: string, port: number, on: PipeEvents): Promise<PodPipe> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port, noDelay: true });
    let connected = false;
    let ended = false;
    const end = (error?: string) => {
      if (ended) return;
      ended = true;
      on.end(error);
    };
    sock.on("data", (d) => on.data(d));
    sock.on("close", () => end());
    sock.on("error", (err) => (connected ? end(err.message) : reject(err)));
    sock.on("connect", () => {
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
