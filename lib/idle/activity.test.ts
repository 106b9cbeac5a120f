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

describe("the activity coalescer's reasons", () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date("2026-12-06T10:00:00Z") }));
  afterEach(() => vi.useRealTimers());

  it("attributes output right after input to the input, and a long build's later output to output", async () => {
    const writes: { kind: string; by: string | null }[] = [];
    const c = new ActivityCoalescer(async (_id, a) => void writes.push({ kind: a.kind, by: a.by }), 1_000, () => Date.now());
    c.record("d1", "terminal-input", "ana");
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1_500);
    c.record("d1", "terminal-output", "ana"); // the echo and the prompt, in the next window
    await vi.advanceTimersByTimeAsync(60_000);
    c.record("d1", "terminal-output", "ana"); // a build printing a minute later
    await vi.advanceTimersByTimeAsync(2_000);
    expect(writes).toEqual([{ kind: "terminal-input", by: "ana" }, { kind: "terminal-input", by: "ana" }, { kind: "terminal-output", by: "ana" }]);
  });
});
