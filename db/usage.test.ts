import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import type { V1Pod } from "@kubernetes/client-node";
import type { Database } from "./client";
import { devboxes } from "./schema/devboxes";
import { teams } from "./schema/teams";
import { templates } from "./schema/templates";
import { usageSamples } from "./schema/usage-samples";
import { testBackends } from "./test-backends";
import { fold, MINUTE, QUARTER_HOUR, type Bucket, type Sample } from "@/lib/usage/buckets";
import { dropExpired, latestMinute, readRows, recordSamples, rowCount, teamConsumers } from "@/lib/usage/queries";
import { UsageSampler } from "@/lib/usage/sampler";
import type { PodReading, PodRef, UsageSource } from "@/lib/usage/source";
import { GENERATION_LABEL } from "@/lib/devboxes/k8s-objects";

const MiB = 2 ** 20;
const T0 = new Date("2026-12-06T00:00:00Z").getTime();
const at = (sec: number) => new Date(T0 + sec * 1000);

describe.each(testBackends())("usage history on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    await db.insert(teams).values({ id: "t1", slug: "t", displayName: "T", namespace: "devbox-t" });
    await db.insert(templates).values({ id: "tpl", name: "tpl", displayName: "Tpl", image: "img" });
  });
  afterAll(async () => close?.());

  const base = { teamId: "t1", templateId: "tpl", image: "img", cpuMillis: 1000, memoryMiB: 512, diskMiB: 1024, user: "devbox", workingDir: "/home/devbox" };
  const devbox = (id: string, extra: Partial<typeof devboxes.$inferInsert> = {}) => db.insert(devboxes).values({ id, name: id, ...base, ...extra });

  it("folds samples in SQL exactly as fold() does: CPU and network averaged, memory and disk at their peak", async () => {
    await devbox("f1");
    const samples: Sample[] = [
      { cpuMillis: 100, memoryBytes: 50 * MiB, diskBytes: 10 * MiB }, // a Pod's first reading: no network rate yet
      { cpuMillis: 900, memoryBytes: 300 * MiB, diskBytes: 9 * MiB, rxBytesPerSec: 1000, txBytesPerSec: 10 },
      { cpuMillis: 200, memoryBytes: 120 * MiB, diskBytes: 12 * MiB, rxBytesPerSec: 3000, txBytesPerSec: 30 },
    ];
    let expected: Bucket | undefined;
    for (const [i, s] of samples.entries()) {
      await recordSamples(db, at(i * 20), new Map([["f1", s]]));
      expected = fold(expected, s);
    }
    for (const r of [MINUTE, QUARTER_HOUR]) {
      const [row] = await db.select().from(usageSamples).where(and(eq(usageSamples.devboxId, "f1"), eq(usageSamples.resolution, r.seconds)));
      expect(row.bucketStart.getTime()).toBe(T0);
      expect(row.samples).toBe(3);
      expect(row.cpuMillis).toBeCloseTo(expected!.cpuMillis, 2);
      expect(row.memoryBytes).toBe(300 * MiB);
      expect(row.diskBytes).toBe(12 * MiB);
      expect(row.rxBytesPerSec).toBeCloseTo(2000, 2);
      expect(row.txBytesPerSec).toBeCloseTo(20, 2);
      expect(row.netSamples).toBe(2);
    }
  });

  it("counts concurrent writers' samples once each (a leader hand-over mid-pass)", async () => {
    await devbox("c1");
    const s = (cpu: number): Map<string, Sample> => new Map([["c1", { cpuMillis: cpu, memoryBytes: cpu, diskBytes: 1 }]]);
    await Promise.all([recordSamples(db, at(5), s(100)), recordSamples(db, at(10), s(300)), recordSamples(db, at(15), s(500))]);
    const [row] = await db.select().from(usageSamples).where(and(eq(usageSamples.devboxId, "c1"), eq(usageSamples.resolution, 60)));
    expect(row.samples).toBe(3);
    expect(row.cpuMillis).toBeCloseTo(300, 2);
    expect(row.memoryBytes).toBe(500);
  });

  it("keeps an hour of minutes and a day of quarter hours, so a devbox's history stays bounded", async () => {
    await devbox("r1");
    // 26 hours of samples every 5 minutes, then the last hour every 20 s, dropping what ages out as the sampler does.
    let now = 0;
    for (let sec = 0; sec < 25 * 3600; sec += 300) {
      now = sec;
      await recordSamples(db, at(sec), new Map([["r1", { cpuMillis: sec % 7, memoryBytes: 1, diskBytes: 1 }]]));
      await dropExpired(db, at(sec));
    }
    for (let sec = 25 * 3600; sec <= 26 * 3600; sec += 20) {
      now = sec;
      await recordSamples(db, at(sec), new Map([["r1", { cpuMillis: 10, memoryBytes: sec, diskBytes: 1 }]]));
    }
    await dropExpired(db, at(now));
    const minutes = await readRows(db, "r1", MINUTE, at(now));
    const quarters = await readRows(db, "r1", QUARTER_HOUR, at(now));
    expect(minutes).toHaveLength(61); // 25:00 … 26:00, every minute sampled
    expect(minutes[0].bucketStart.getTime()).toBe(at(25 * 3600).getTime());
    expect(quarters).toHaveLength(97); // 02:00 … 26:00
    expect(quarters[0].bucketStart.getTime()).toBe(at(2 * 3600).getTime());
    // Nothing older stays in the table, so history is bounded by 61 + 97 rows.
    expect(await rowCount(db, ["r1"])).toBe(61 + 97);
    // The minute of 25:30 holds three 20 s samples: its peak memory is the last one.
    const m = minutes.find((r) => r.bucketStart.getTime() === at(25 * 3600 + 1800).getTime())!;
    expect(m.memoryBytes).toBe(25 * 3600 + 1840);
    const latest = await latestMinute(db, "r1");
    expect(latest?.at.getTime()).toBe(at(26 * 3600).getTime());
  });

  it("is deleted with its devbox", async () => {
    await devbox("d1");
    await recordSamples(db, at(0), new Map([["d1", { cpuMillis: 1, memoryBytes: 1, diskBytes: 1 }]]));
    expect(await rowCount(db, ["d1"])).toBe(2);
    await db.delete(devboxes).where(eq(devboxes.id, "d1"));
    expect(await rowCount(db, ["d1"])).toBe(0);
  });

  it("the sampler reads the current Pod of running devboxes only, and turns network counters into rates", async () => {
    await devbox("s1", { podGeneration: 2 });
    await devbox("s2", { desiredState: "stopped" });
    const pod = (name: string, uid: string, gen: number, phase = "Running"): V1Pod => ({
      metadata: { name, uid, labels: { [GENERATION_LABEL]: String(gen) } },
      spec: { nodeName: "node-a", containers: [] },
      status: { phase },
    });
    const pods: Record<string, V1Pod[]> = { s1: [pod("s1-1", "old", 1), pod("s1-2", "cur", 2)], s2: [pod("s2-1", "stopped", 1)] };
    let clock = 0;
    const asked: PodRef[][] = [];
    const source: UsageSource = {
      async read(refs) {
        asked.push(refs);
        const r = (uid: string, cpu: number): PodReading => ({ namespace: "devbox-t", name: uid, uid, at: at(clock), cpuMillis: cpu, memoryBytes: 100, diskBytes: 10, rxBytes: clock * 50, txBytes: clock * 5, cpuNanoSeconds: uid === "cur" ? clock * 4e8 : undefined });
        return [r("cur", 250), r("old", 999), r("stopped", 999), r("not-a-devbox", 999)];
      },
    };
    const sampler = new UsageSampler(db, { podsOf: (id) => pods[id] ?? [] }, source);
    const first = await sampler.pass(at(100_000));
    expect([...first.keys()]).toEqual(["s1"]);
    expect(first.get("s1")).toEqual({ cpuMillis: 250, memoryBytes: 100, diskBytes: 10 });
    clock = 20;
    const second = await sampler.pass(at(100_020));
    // From the second reading on, CPU comes from the CPU-time counter (0.4 s per s), not the kubelet's figure.
    expect(second.get("s1")).toEqual({ cpuMillis: 400, memoryBytes: 100, diskBytes: 10, rxBytesPerSec: 50, txBytesPerSec: 5 });
    expect(asked).toEqual([[{ namespace: "devbox-t", name: "s1-2", uid: "cur", nodeName: "node-a" }], [{ namespace: "devbox-t", name: "s1-2", uid: "cur", nodeName: "node-a" }]]);
    const rows = await readRows(db, "s1", MINUTE, at(100_020));
    expect(rows.map((r) => r.rxBytesPerSec)).toEqual([null, 50]); // two minutes: the first pass had no rate yet
    expect((await teamConsumers(db, "t1", at(100_020))).map((c) => c.name)).toContain("s1");
  });
});
