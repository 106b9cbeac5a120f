import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox, startDevbox, stopDevbox } from "@/lib/devboxes/service";
import { commitBeforeRemoval } from "@/lib/snapshots/commit-before-removal";
import { runRegistryGc } from "@/lib/snapshots/registry-gc";
import { getManifest, parseImageRef } from "@/lib/snapshots/registry";
import { commitDevbox, forkFromSnapshot } from "@/lib/snapshots/requests";
import { listSnapshots } from "@/lib/snapshots/service";
import { listTemplates } from "@/lib/templates/queries";
import { eventually, openDevboxWorld, podsFromApi, waitForState, type DevboxWorld } from "./devbox-harness";
import { sh } from "./snapshot-helpers";

vi.hoisted(() => {
  process.env.DEVBOX_INSTANCE = `it-cyc-${Math.random().toString(36).slice(2, 7)}`;
  process.env.DEVBOX_MAX_SNAPSHOT_LAYERS = "8";
  process.env.DEVBOX_KEEP_SNAPSHOTS = "5";
});

const CYCLES = Number(process.env.DEVBOX_SNAPSHOT_CYCLES ?? 30);
const BOUND = 8;

describe(`snapshots over ${CYCLES} stop/start cycles: merge keeps layers bounded, purge keeps K, GC reclaims`, () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;
  let templateId: string;
  let baseLayers = 0;

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "cyc", reconcile: commitBeforeRemoval });
    ({ db, owner, team, templateId } = world);
    const t = (await listTemplates(db)).find((x) => x.id === templateId)!;
    const ref = parseImageRef(t.image);
    baseLayers = (await getManifest(ref.repository, ref.reference))!.manifest.layers.length;
  });

  afterAll(async () => world?.close());

  const podName = async () => {
    const d = (await findDevbox(db, team.id, "cyc"))!;
    return (await podsFromApi(team.namespace, d.id))[0].metadata!.name!;
  };

  it("layer count stays ≤ bound + base layers, content is right after every start", async () => {
    await createDevbox(db, team, owner.id, { name: "cyc", templateId, cpuMillis: 500, memoryMiB: 512, diskMiB: 2048 });
    await waitForState(db, team, "cyc", "Running");
    const timings: number[] = [];
    let maxLayers = 0;
    let merges = 0;
    for (let i = 0; i < CYCLES; i++) {
      const t0 = Date.now();
      // Each cycle: a new file, an overwrite, a deletion of an earlier file; cycle 1 adds 5 MB that cycle 2 deletes.
      await sh(team.namespace, await podName(), `
        set -e; mkdir -p ~/c; echo "cycle ${i}" > ~/c/f${i}; echo ${i} > ~/c/last
        ${i >= 2 ? `rm ~/c/f${i - 2}` : ""}
        ${i === 1 ? "head -c 5000000 /dev/urandom > ~/c/big" : ""}${i === 2 ? "rm ~/c/big" : ""}
      `);
      await stopDevbox(db, team, owner.id, "cyc");
      const { devbox } = await waitForState(db, team, "cyc", "Stopped");
      const ref = parseImageRef(devbox!.image);
      const layers = (await getManifest(ref.repository, ref.reference))!.manifest.layers.length;
      maxLayers = Math.max(maxLayers, layers);
      expect(layers).toBeLessThanOrEqual(BOUND + baseLayers);
      await startDevbox(db, team, owner.id, "cyc");
      await waitForState(db, team, "cyc", "Running");
      const expected = [...(i === 1 ? ["big"] : []), ...(i >= 1 ? [`f${i - 1}`] : []), `f${i}`, "last"].sort().join(" ");
      expect((await sh(team.namespace, await podName(), "cd ~/c && echo $(ls | sort) && cat last")).trim()).toBe(`${expected}\n${i}`);
      timings.push(Date.now() - t0);
    }
    const all = await listSnapshots(db, (await findDevbox(db, team.id, "cyc"))!.id);
    merges = all.filter((s) => s.trigger === "merge").length;
    console.log(`[cycles] ${CYCLES} cycles, mean ${(timings.reduce((a, b) => a + b, 0) / timings.length / 1000).toFixed(2)} s/cycle, max layers ${maxLayers} (base ${baseLayers}), snapshots kept ${all.length}, merges among kept ${merges}`);
    // Purge keeps the newest 5 (the image the devbox starts from is the newest).
    expect(all.length).toBeLessThanOrEqual(5);
  }, 1_800_000);

  it("an explicit commit of a running devbox is recorded and becomes the next start; a fork starts from it", async () => {
    const name = await podName();
    await sh(team.namespace, name, "echo committed > ~/c/explicit");
    const snap = await commitDevbox(db, team, owner.id, "cyc");
    expect(snap).toMatchObject({ trigger: "commit", actorId: owner.id });
    expect((await findDevbox(db, team.id, "cyc"))!.image).toBe(snap.image);
    // Still running, same Pod.
    expect(await podName()).toBe(name);
    const fork = await forkFromSnapshot(db, team, owner.id, "cyc", snap.id, "cyc-fork");
    expect(parseImageRef(fork.image).repository).toBe(`${team.namespace}/cyc-fork`);
    await waitForState(db, team, "cyc-fork", "Running");
    const forkPod = (await podsFromApi(team.namespace, fork.id))[0].metadata!.name!;
    expect(await sh(team.namespace, forkPod, "cat ~/c/explicit")).toBe("committed\n");
  });

  it("purged manifests are gone from the registry; garbage collection reclaims the disk", async () => {
    const d = (await findDevbox(db, team.id, "cyc"))!;
    const kept = await listSnapshots(db, d.id);
    expect(kept.length).toBeLessThanOrEqual(5);
    // The first snapshots' manifests were deleted by purge.
    const repo = parseImageRef(kept[0].image).repository;
    const tags = (await (await fetch(`http://127.0.0.1:5000/v2/${repo}/tags/list`)).json()) as { tags: string[] | null };
    expect(tags.tags?.length ?? 0).toBeLessThanOrEqual(kept.length + 1);
    const gc = await runRegistryGc();
    console.log(`[gc] registry storage ${gc.bytesBefore} → ${gc.bytesAfter} bytes`);
    // The 5 MB written in cycle 1 and deleted in cycle 2 is no longer referenced by any kept manifest.
    expect(gc.bytesBefore! - gc.bytesAfter!).toBeGreaterThan(4_500_000);
    // Everything kept still starts.
    await stopDevbox(db, team, owner.id, "cyc");
    await waitForState(db, team, "cyc", "Stopped");
    await startDevbox(db, team, owner.id, "cyc");
    await waitForState(db, team, "cyc", "Running");
    expect(await sh(team.namespace, await podName(), "cat ~/c/explicit")).toBe("committed\n");
  }, 300_000);
});
