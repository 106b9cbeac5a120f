/**
 * The most recent output of a terminal session, at most `capacity` bytes, replayed to a client
 * that re-attaches (page reload, network drop) so it sees its scrollback again.
 *
 * When old output is dropped, the buffer restarts just after a line feed: cutting in the middle
 * of a line could start the replay inside an escape sequence or a UTF-8 character.
 */
export class ReplayBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size > this.capacity) this.trim();
  }

  snapshot(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private trim(): void {
    let excess = this.size - this.capacity;
    while (excess > 0 && this.chunks.length > 0) {
      const first = this.chunks[0];
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        excess -= first.length;
        continue;
      }
      // Cut inside this chunk, then advance to the next line start (or drop the chunk whole).
      const nl = first.indexOf(0x0a, excess);
      const cut = nl === -1 ? first.length : nl + 1;
      if (cut >= first.length) {
        this.chunks.shift();
      } else {
        this.chunks[0] = first.subarray(cut);
      }
      this.size -= cut;
      excess = 0;
    }
  }
}
