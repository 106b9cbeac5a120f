import net from "node:net";
import { describe, expect, it } from "vitest";
import { ReadBuffers } from "./read-buffers";

describe("ReadBuffers", () => {
  it("hands a released buffer out again instead of allocating one, and keeps only a few", () => {
    const reads = new ReadBuffers(1024, 2);
    const [a, b, c] = [reads.next(), reads.next(), reads.next()];
    expect(new Set([a.buffer, b.buffer, c.buffer]).size).toBe(3);
    reads.release(a);
    reads.release(b);
    reads.release(c); // over the bound of 2: dropped
    const again = [reads.next(), reads.next()];
    expect(again).toContain(a);
    expect(again).toContain(b);
    expect(reads.next()).not.toBe(c);
  });

  it("never reuses a buffer whose bytes are still in use: a socket's reads land in fresh buffers until done() is called", async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 12)) & 0xff;
    const server = net.createServer((s) => s.end(payload));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const reads = new ReadBuffers(64 * 1024);
    const held: { chunk: Buffer; done: () => void }[] = [];
    const buffers = new Set<ArrayBufferLike>();
    // Hold every chunk until the end, then check them: had a read reused a held buffer, the
    // earlier chunk's bytes would have been overwritten.
    await new Promise<void>((resolve) => {
      const sock = net.connect({ host: "127.0.0.1", port: (server.address() as net.AddressInfo).port, onread: reads.onread((chunk, done) => void (held.push({ chunk, done }), buffers.add(chunk.buffer))) });
      sock.on("end", resolve);
    });
    server.close();
    expect(Buffer.concat(held.map((h) => h.chunk)).equals(payload)).toBe(true);
    expect(buffers.size).toBe(held.length);
    // Released, they serve the next reads.
    for (const h of held) h.done();
    expect(buffers.has(reads.next().buffer)).toBe(true);
  });
});
