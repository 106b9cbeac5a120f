import net from "node:net";

/**
 * Reusable read buffers for a relay socket (net.Socket's `onread`): Node otherwise reads each
 * chunk into a new 64 KiB ArrayBuffer, and in a big heap (the dashboard under Next.js) that churn
 * of external memory sets off V8's full mark-compact collections — about a third of the
 * dashboard's time in a transfer (lib/ssh/README.md). The socket reads into a buffer taken here;
 * the consumer hands it back with `release` once nothing refers to its bytes any more (the write
 * that carried them completed), and the next read reuses it. Reads are up to `size` bytes, so a
 * relay that fell behind moves what queued up in one read, one frame and one write.
 */
export class ReadBuffers {
  private readonly free: Buffer[] = [];

  constructor(
    readonly size: number,
    /** How many released buffers to keep; a connection rarely has more than a few in flight. */
    private readonly keep = 8,
  ) {}

  /** The buffer the next read goes into (`onread.buffer`: called once per read). */
  readonly next = (): Buffer => this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);

  /** Gives back a buffer from `next` whose bytes nothing refers to any more. */
  release(buf: Buffer): void {
    if (buf.length === this.size && this.free.length < this.keep) this.free.push(buf);
  }

  /**
   * `onread` options for a socket: `chunk` is a view of the read bytes, valid until `done()` is
   * called. Returning false pauses reading, as socket.pause() does.
   */
  onread(chunk: (data: Buffer, done: () => void) => boolean | void): net.OnReadOpts {
    return {
      buffer: this.next,
      callback: (n: number, buf: Uint8Array) => chunk(Buffer.from(buf.buffer, buf.byteOffset, n), () => this.release(buf as Buffer)) !== false,
    };
  }
}

/** Relay read size: loopback TCP and Pod networks hand over up to this much per read when it queued. */
export const RELAY_READ_BYTES = 256 * 1024;
