import type { WebSocket } from "ws";
import type { PipeEvents, PodPipe } from "./tunnel";

// Backpressure: stop reading one side while more than this is queued towards the other.
const HIGH_WATER = 1 << 20;

export interface SshBridge {
  /** What the Pod's pipe reports (pass to the transport when opening it). */
  readonly events: PipeEvents;
  /** Starts the client → Pod direction once the pipe is open; `early` is what the client sent before. */
  attach(pipe: PodPipe, early: Buffer[]): void;
}

/**
 * The byte relay of the SSH websocket (server/ws/ssh.ts) and the devbox's sshd (./tunnel.ts):
 * binary frames to the pipe, the pipe's bytes as binary frames, and each side paused while the
 * other has more than HIGH_WATER queued. A chunk from the pipe is sent as one frame as it came
 * (no copy) and handed back to its read buffer when the socket has taken it.
 */
export function sshBridge(ws: WebSocket, hooks: { traffic(): void; end(error?: string): void }): SshBridge {
  let pipe: PodPipe | undefined;
  const events: PipeEvents = {
    data(chunk, done) {
      hooks.traffic();
      ws.send(chunk, { binary: true }, () => {
        done();
        if (ws.bufferedAmount < HIGH_WATER) pipe?.resume();
      });
      if (ws.bufferedAmount >= HIGH_WATER) pipe?.pause();
    },
    end: (error) => hooks.end(error),
  };
  return {
    events,
    attach(p, early) {
      pipe = p;
      const forward = (data: Buffer) => {
        hooks.traffic();
        p.write(data, () => {
          if (p.buffered < HIGH_WATER) ws.resume();
        });
        if (p.buffered >= HIGH_WATER) ws.pause();
      };
      for (const data of early) forward(data);
      ws.on("message", (data: Buffer, isBinary) => isBinary && forward(data));
    },
  };
}
