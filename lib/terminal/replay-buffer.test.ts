import { describe, expect, it } from "vitest";
import { ReplayBuffer } from "./replay-buffer";

describe("ReplayBuffer", () => {
  it("keeps everything under capacity, in order", () => {
    const b = new ReplayBuffer(100);
    b.push(Buffer.from("hello "));
    b.push(Buffer.from("world\n"));
    expect(b.snapshot().toString()).toBe("hello world\n");
    expect(b.length).toBe(12);
  });

  it("stays bounded under a flood and restarts at a line boundary", () => {
    const b = new ReplayBuffer(1000);
    for (let i = 0; i < 10_000; i++) b.push(Buffer.from(`line ${i}\n`));
    expect(b.length).toBeLessThanOrEqual(1000);
    const text = b.snapshot().toString();
    expect(text.startsWith("line ")).toBe(true);
    expect(text.endsWith("line 9999\n")).toBe(true);
    expect(b.length).toBe(Buffer.byteLength(text));
  });

  it("drops a huge chunk without a line feed entirely rather than replaying half of it", () => {
    const b = new ReplayBuffer(10);
    b.push(Buffer.from("ab\n"));
    b.push(Buffer.alloc(50, 0x41));
    expect(b.length).toBe(0);
    b.push(Buffer.from("x"));
    expect(b.snapshot().toString()).toBe("x");
  });
});
