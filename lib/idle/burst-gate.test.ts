import { describe, expect, it } from "vitest";
import { BurstGate } from "./burst-gate";

describe("the SSH burst gate", () => {
  it("ignores keepalives (one packet each way every 30 s) for an hour", () => {
    let t = 0;
    const g = new BurstGate(6, 10_000, () => t);
    let active = 0;
    for (; t < 3_600_000; t += 30_000) {
      if (g.packet()) active++;
      t += 5;
      if (g.packet()) active++;
    }
    expect(active).toBe(0);
  });

  it("counts typing (a packet per key and its echo) and streaming output", () => {
    let t = 0;
    const typing = new BurstGate(6, 10_000, () => t);
    const seen = [];
    for (let i = 0; i < 4; i++) {
      seen.push(typing.packet()); // key
      t += 2;
      seen.push(typing.packet()); // echo
      t += 150;
    }
    expect(seen.some(Boolean)).toBe(true);
    const build = new BurstGate(6, 10_000, () => t);
    const out = Array.from({ length: 20 }, () => ((t += 100), build.packet()));
    expect(out.slice(5).every(Boolean)).toBe(true);
  });
});
