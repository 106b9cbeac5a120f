import { describe, expect, it } from "vitest";
import { FRESH_MS, usageWarnings } from "./warnings";

const MiB = 2 ** 20;
const now = new Date("2026-12-06T10:42:30Z");
const limits = { memoryMiB: 1024, diskMiB: 2048 };

describe("usageWarnings", () => {
  it("warns at 90% of the memory limit, not below", () => {
    expect(usageWarnings({ at: now, memoryBytes: 921 * MiB, diskBytes: 0 }, limits, now)).toEqual([]);
    const [w] = usageWarnings({ at: now, memoryBytes: 922 * MiB, diskBytes: 0 }, limits, now);
    expect(w.kind).toBe("memory");
    expect(w.ratio).toBeCloseTo(0.9, 2);
    expect(w.message).toContain("922 MB of 1.0 GB (90%)");
    expect(w.message).toMatch(/kills the biggest process/);
  });

  it("warns at 90% of the disk limit, and over it", () => {
    expect(usageWarnings({ at: now, memoryBytes: 0, diskBytes: 1843 * MiB }, limits, now)).toEqual([]);
    expect(usageWarnings({ at: now, memoryBytes: 0, diskBytes: 1844 * MiB }, limits, now).map((w) => w.kind)).toEqual(["disk"]);
    const both = usageWarnings({ at: now, memoryBytes: 2000 * MiB, diskBytes: 3000 * MiB }, limits, now);
    expect(both.map((w) => w.kind)).toEqual(["memory", "disk"]);
    expect(both[1].message).toMatch(/evicts the devbox/);
  });

  it("says nothing from an old reading or none", () => {
    const full = { memoryBytes: 1024 * MiB, diskBytes: 2048 * MiB };
    expect(usageWarnings({ at: new Date(now.getTime() - FRESH_MS), ...full }, limits, now)).toHaveLength(2);
    expect(usageWarnings({ at: new Date(now.getTime() - FRESH_MS - 1), ...full }, limits, now)).toEqual([]);
    expect(usageWarnings(undefined, limits, now)).toEqual([]);
  });
});
