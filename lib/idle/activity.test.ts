import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ActivityCoalescer } from "./activity";

describe("the activity coalescer", () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date("2026-12-06T10:00:00Z") }));
  afterEach(() => vi.useRealTimers());

  function make() {
    const writes: { id: string; at: number; kind: string; by: string | null }[] = [];
    const c = new ActivityCoalescer(async (id, a) => void writes.push({ id, ...a }), 30_000, () => Date.now());
    return { c, writes };
  }

  it("writes the first activity at once, then at most once per window per devbox", async () => {
    const { c, writes } = make();
    c.record("d1", "terminal-input", "ana");
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toHaveLength(1);
    for (let i = 0; i < 1000; i++) {
      c.record("d1", "terminal-output", "ana");
      await vi.advanceTimersByTimeAsync(20);
    }
    expect(writes).toHaveLength(1); // 20 s of keystrokes and output: still one write
    await vi.advanceTimersByTimeAsync(10_000);
    expect(writes).toHaveLength(2);
    expect(writes[1].at).toBe(new Date("2026-12-06T10:00:20Z").getTime() - 20);
  });

  it("keeps what a person did over terminal output as the reason within one window", async () => {
    const { c, writes } = make();
    c.record("d1", "ssh", "bob");
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1000);
    c.record("d1", "terminal-input", "ana");
    await vi.advanceTimersByTimeAsync(1000);
    c.record("d1", "terminal-output", "ana");
    await vi.advanceTimersByTimeAsync(30_000);
    expect(writes.map((w) => [w.kind, w.by])).toEqual([["ssh", "bob"], ["terminal-input", "ana"]]);
    expect(writes[1].at).toBe(new Date("2026-12-06T10:00:02Z").getTime());
  });

  it("keeps devboxes apart and writes nothing without activity", async () => {
    const { c, writes } = make();
    c.record("d1", "preview", null);
    c.record("d2", "exec", "ana");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(writes.map((w) => w.id).sort()).toEqual(["d1", "d2"]);
    expect(c.pendingCount).toBe(0);
  });

  it("flushes what is pending on demand (shutdown)", async () => {
    const { c, writes } = make();
    c.record("d1", "ssh", "ana");
    await vi.advanceTimersByTimeAsync(0);
    c.record("d1", "ssh", "ana");
    await c.flush();
    expect(writes).toHaveLength(2);
  });
});
