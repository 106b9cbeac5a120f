import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import type { Devbox } from "@/db/schema/devboxes";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { podName } from "@/lib/devboxes/k8s-objects";
import { createDevbox } from "@/lib/devboxes/service";
import { findDevbox } from "@/lib/devboxes/queries";
import { randomSuffix } from "@/lib/ids";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { MINUTE } from "@/lib/usage/buckets";
import { MetricsApiSource } from "@/lib/usage/metrics-api";
import { eq, sum } from "drizzle-orm";
import { usageSamples } from "@/db/schema/usage-samples";
import { readRows } from "@/lib/usage/queries";
import { UsageSampler } from "@/lib/usage/sampler";
import { devboxUsage, devboxUsageWarnings, teamUsage } from "@/lib/usage/service";
import { eventually, installProcessDatabase, openDevboxWorld, waitForState, type DevboxWorld } from "./devbox-harness";
import { sh } from "./snapshot-helpers";

// The leader samples every 3 s here (read each pass), so its own recording shows within the test.
process.env.DEVBOX_INSTANCE = `it-${randomSuffix()}`;
process.env.DEVBOX_USAGE_SAMPLE_SECONDS = "3";

const MB = 1_000_000;

/**
 * Usage sampling against the real cluster, with the dashboard's own identity (list
 * pods.metrics.k8s.io in the team namespace, get nodes/stats): a devbox burns CPU and holds
 * memory (read through the Metrics API) and writes a file (disk, read from the kubelet), and the
 * samples rise.
 */
describe("usage samples from the Metrics API and the kubelet", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;
  let devbox: Devbox;
  let undoDb: () => void;
  let sampler: UsageSampler;

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "usage" });
    ({ db, owner, team } = world);
    undoDb = installProcessDatabase(db);
    await createDevbox(db, team, owner.id, { name: "burn", templateId: world.templateId, cpuMillis: 500, memoryMiB: 512, diskMiB: 2048 });
    devbox = (await waitForState(db, team, "burn", "Running")).devbox!;
    const inner = new UsageSampler(db, devboxPodCache(), new MetricsApiSource());
    // Passes spaced like the leader's, not every 250 ms of a poll: the kubelet refreshes its stats every few seconds.
    let lastPass = 0;
    sampler = {
      async pass() {
        await new Promise((r) => setTimeout(r, Math.max(0, lastPass + 5_000 - Date.now())));
        lastPass = Date.now();
        return inner.pass();
      },
    } as UsageSampler;
  }, 180_000);
  afterAll(async () => {
    undoDb?.();
    await world?.close();
  });

  it("CPU, memory and disk rise when the devbox works, and the leader records them", async () => {
    // metrics-server has figures for a new Pod after its first two scrapes (~15-30 s).
    const idle = await eventually("a first reading of the devbox", async () => {
      const s = (await sampler.pass()).get(devbox.id);
      return s && s.memoryBytes > 0 ? s : undefined;
    }, 60_000);
    expect(idle.cpuMillis).toBeLessThan(500);

    const pod = podName(devbox);
    await sh(team.namespace, pod, [
      "nohup bash -c 'while :; do :; done' >/dev/null 2>&1 &",
      // ~150 MB held in a shell variable for ten minutes
      `nohup bash -c 'x=$(head -c ${150 * MB} /dev/zero | tr "\\\\0" a); sleep 600; echo \${#x}' >/dev/null 2>&1 &`, // (not last: bash would exec sleep and drop x)
      "dd if=/dev/urandom of=$HOME/fill bs=1M count=120 status=none",
    ].join("\n"));

    let last: unknown;
    const busy = await eventually(
      () => `CPU ≥ 0.3 cores and memory +120 MB in a reading (idle: ${JSON.stringify(idle)}, last: ${JSON.stringify(last)})`,
      async () => {
        const s = (await sampler.pass()).get(devbox.id);
        last = s;
        // Two CPUs shared with other tests: a busy loop gets well under its one-core limit at times.
        return s && s.cpuMillis >= 300 && s.memoryBytes >= idle.memoryBytes + 120 * MB ? s : undefined;
      },
      90_000,
    );
    expect(busy.cpuMillis).toBeLessThanOrEqual(600); // its limit is half a core
    // Filesystem stats are refreshed less often than CPU and memory (cAdvisor: about a minute).
    await eventually("disk +100 MB in a reading", async () => ((await sampler.pass()).get(devbox.id)?.diskBytes ?? 0) >= idle.diskBytes + 100 * MB || undefined, 150_000);

    // What the charts read: the newest minute holds the burn, network counters became rates.
    const rows = await readRows(db, devbox.id, MINUTE, new Date());
    // (a minute's average: the busy samples with the idle ones of the same minute)
    expect(Math.max(...rows.map((r) => r.cpuMillis)), JSON.stringify({ idle, busy, rows })).toBeGreaterThan(idle.cpuMillis + 50);
    // Network: the bundled cluster's kubelet (containerd 1.6 CRI stats) reports no Pod network counters, so none is asserted.
    const view = await devboxUsage(db, devbox, "hour");
    expect(view.series.t).toHaveLength(61);
    expect(Math.max(...view.series.memoryBytes.map((v) => v ?? 0))).toBeGreaterThanOrEqual(idle.memoryBytes + 120 * MB);
    expect(view.limits.memoryBytes).toBe(512 * 2 ** 20);
    expect(view.warnings).toEqual([]); // ~150 MB of 512 MiB

    // The reconciler's leader samples on its own (every 3 s here): with this test's passes over,
    // the day buckets still count new samples.
    const counted = async () => (await readRows(db, devbox.id, MINUTE, new Date())).length + (await sampleCount(db, devbox.id));
    const before = await counted();
    await eventually("the leader's own samples", async () => ((await counted()) > before ? true : undefined), 30_000);

    const tu = await teamUsage(db, team);
    expect(tu.devboxesRunning).toBe(1);
    expect(tu.topConsumers[0]?.name).toBe("burn");
    expect(tu.quota?.cpuLimitsMillis.used).toBe(500);
  }, 400_000);

  it("memory at 90% of the limit warns, before the OOM killer acts", async () => {
    await createDevbox(db, team, owner.id, { name: "tight", templateId: world.templateId, cpuMillis: 250, memoryMiB: 256, diskMiB: 1024 });
    const tight = (await waitForState(db, team, "tight", "Running")).devbox!;
    expect(await devboxUsageWarnings(db, tight)).toEqual([]);
    // 230 MiB in one perl string, grown once and zero-filled (`"a" x n` would build it twice and be
    // OOM-killed): ~92% of 256 MiB with perl and the devbox's own processes.
    await sh(team.namespace, podName(tight), "nohup perl -e 'vec($x, 230 * 1024 * 1024 - 1, 8) = 1; sleep 600' >/dev/null 2>&1 &");
    const warnings = await eventually("a memory warning", async () => {
      await sampler.pass();
      const w = await devboxUsageWarnings(db, (await findDevbox(db, team.id, "tight"))!);
      return w.length ? w : undefined;
    }, 90_000);
    expect(warnings.map((w) => w.kind)).toEqual(["memory"]);
    expect(warnings[0].ratio).toBeGreaterThanOrEqual(0.9);
    expect(warnings[0].message).toMatch(/^Memory is nearly full: .* of 256 MB \(9\d%\)/);
    expect((await devboxUsage(db, tight, "hour")).warnings).toEqual(warnings);
    // Warned, not killed.
    await waitForState(db, team, "tight", "Running", 5_000);
  }, 240_000);
});

async function sampleCount(db: Database, devboxId: string): Promise<number> {
  const [r] = await db.select({ n: sum(usageSamples.samples) }).from(usageSamples).where(eq(usageSamples.devboxId, devboxId));
  return Number(r?.n ?? 0);
}
