import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketStart, fold, MINUTE, QUARTER_HOUR, rates, retentionCutoff, type Bucket, type Sample } from "./buckets";
import { toSeries } from "./series";

const at = (iso: string) => new Date(iso);

describe("buckets", () => {
  it("a sample lands in the minute and the quarter hour that hold it", () => {
    expect(bucketStart(at("2026-12-06T10:42:59.999Z"), MINUTE).toISOString()).toBe("2026-12-06T10:42:00.000Z");
    expect(bucketStart(at("2026-12-06T10:42:59.999Z"), QUARTER_HOUR).toISOString()).toBe("2026-12-06T10:30:00.000Z");
    expect(bucketStart(at("2026-12-06T10:45:00.000Z"), QUARTER_HOUR).toISOString()).toBe("2026-12-06T10:45:00.000Z");
  });

  it("minutes are kept an hour, quarter hours a day", () => {
    const now = at("2026-12-06T10:42:30Z");
    expect(retentionCutoff(now, MINUTE).toISOString()).toBe("2026-12-06T09:42:00.000Z");
    expect(retentionCutoff(now, QUARTER_HOUR).toISOString()).toBe("2026-12-05T10:30:00.000Z");
  });

  it("folding averages CPU and network and keeps the peaks of memory and disk, in any order", () => {
    const sample = fc.record({
      cpuMillis: fc.double({ min: 0, max: 64_000, noNaN: true }),
      memoryBytes: fc.integer({ min: 0, max: 2 ** 40 }),
      diskBytes: fc.integer({ min: 0, max: 2 ** 40 }),
      rxBytesPerSec: fc.option(fc.double({ min: 0, max: 1e9, noNaN: true }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 40 }), (raw) => {
        const samples: Sample[] = raw.map((s) => ({ ...s, txBytesPerSec: s.rxBytesPerSec === undefined ? undefined : s.rxBytesPerSec / 2 }));
        const b = samples.reduce<Bucket | undefined>((acc, s) => fold(acc, s), undefined)!;
        expect(b.samples).toBe(samples.length);
        expect(b.cpuMillis).toBeCloseTo(samples.reduce((a, s) => a + s.cpuMillis, 0) / samples.length, 3);
        expect(b.memoryBytes).toBe(Math.max(...samples.map((s) => s.memoryBytes)));
        expect(b.diskBytes).toBe(Math.max(...samples.map((s) => s.diskBytes)));
        const net = samples.filter((s) => s.rxBytesPerSec !== undefined);
        expect(b.netSamples).toBe(net.length);
        if (net.length === 0) expect(b.rxBytesPerSec).toBeNull();
        else {
          expect(b.rxBytesPerSec!).toBeCloseTo(net.reduce((a, s) => a + s.rxBytesPerSec!, 0) / net.length, 0);
          expect(b.txBytesPerSec!).toBeCloseTo(b.rxBytesPerSec! / 2, 0);
        }
      }),
    );
  });

  it("CPU and network rates come from two readings of the counters; a reset or no newer reading gives none", () => {
    const prev = { at: at("2026-12-06T10:00:00Z"), cpuNanoSeconds: 5e9, rxBytes: 1000, txBytes: 500 };
    const later = at("2026-12-06T10:00:20Z");
    expect(rates(prev, { at: later, cpuNanoSeconds: 15e9, rxBytes: 3000, txBytes: 900 })).toEqual({ cpuMillis: 500, rxBytesPerSec: 100, txBytesPerSec: 20 });
    expect(rates(undefined, prev)).toEqual({});
    expect(rates(prev, { at: later, cpuNanoSeconds: 1, rxBytes: 10, txBytes: 900 })).toEqual({});
    expect(rates(prev, { ...prev })).toEqual({});
    expect(rates(prev, { at: later })).toEqual({});
    expect(rates(prev, { at: later, cpuNanoSeconds: 5e9 })).toEqual({ cpuMillis: 0 });
  });
});

describe("toSeries", () => {
  it("one point per bucket of the window, ending with the current one; gaps are null", () => {
    const now = at("2026-12-06T10:42:30Z");
    const row = (iso: string, cpu: number) => ({ bucketStart: at(iso), cpuMillis: cpu, memoryBytes: 5, diskBytes: 6, rxBytesPerSec: null, txBytesPerSec: 1.4 });
    const s = toSeries([row("2026-12-06T10:42:00Z", 250.04), row("2026-12-06T09:42:00Z", 10), row("2026-12-06T09:00:00Z", 99)], MINUTE, now);
    expect(s.t).toHaveLength(61);
    expect(s.t[60]).toBe(at("2026-12-06T10:42:00Z").getTime() / 1000);
    expect(s.t[0]).toBe(at("2026-12-06T09:42:00Z").getTime() / 1000);
    expect(s.cpuMillis[60]).toBe(250);
    expect(s.cpuMillis[0]).toBe(10);
    expect(s.cpuMillis.filter((v) => v !== null)).toHaveLength(2); // the 09:00 row is outside the window
    expect(s.rxBytesPerSec[60]).toBeNull();
    expect(s.txBytesPerSec[60]).toBe(1);
    expect(s.memoryBytes[30]).toBeNull();
    expect(toSeries([], QUARTER_HOUR, now).t).toHaveLength(97);
  });
});
