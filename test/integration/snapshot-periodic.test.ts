import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox, stopDevbox } from "@/lib/devboxes/service";
import { commitBeforeRemoval } from "@/lib/snapshots/commit-before-removal";
import { commitRunningDevboxes } from "@/lib/snapshots/periodic";
import { listSnapshots } from "@/lib/snapshots/service";
import { openDevboxWorld, podsFromApi, waitForState, type DevboxWorld } from "./devbox-harness";
import { sh } from "./snapshot-helpers";

// Periodic snapshots: every running devbox is committed once per interval slot, stopped ones are
// left alone, and the same slot never commits twice (replicas, restarts, overlapping runs).
process.env.DEVBOX_INSTANCE = `it-periodic-${Math.random().toString(36).slice(2, 7)}`;

describe("periodic snapshots", () => {
  let world: DevboxWorld;

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "periodic", reconcile: commitBeforeRemoval });
  });
  afterAll(async () => world?.close());

  it("commits running devboxes once per slot, with their changes, and skips stopped ones", async () => {
    const { db, team, owner, templateId } = world;
    for (const name of ["tick", "idle"]) await createDevbox(db, team, owner.id, { name, templateId, cpuMillis: 250, memoryMiB: 256, diskMiB: 2048 });
    await waitForState(db, team, "tick", "Running");
    await waitForState(db, team, "idle", "Running");
    await stopDevbox(db, team, owner.id, "idle");
    await waitForState(db, team, "idle", "Stopped");
    const idleSnapshots = (await listSnapshots(db, (await findDevbox(db, team.id, "idle"))!.id)).length;

    const tick = (await findDevbox(db, team.id, "tick"))!;
    const [pod] = await podsFromApi(team.namespace, tick.id);
    await sh(team.namespace, pod.metadata!.name!, "echo periodic > ~/marker.txt");

    expect(await commitRunningDevboxes(db, 1001)).toBe(1);
    expect(await commitRunningDevboxes(db, 1001)).toBe(1); // same slot: found, not committed again
    const snaps = await listSnapshots(db, tick.id);
    expect(snaps.filter((s) => s.trigger === "periodic")).toHaveLength(1);
    expect((await findDevbox(db, team.id, "tick"))!.image).toBe(snaps.find((s) => s.trigger === "periodic")!.image);
    expect((await listSnapshots(db, (await findDevbox(db, team.id, "idle"))!.id)).length).toBe(idleSnapshots);

    await commitRunningDevboxes(db, 1002);
    expect((await listSnapshots(db, tick.id)).filter((s) => s.trigger === "periodic")).toHaveLength(2);
    // The container kept running through its snapshots.
    expect(await sh(team.namespace, pod.metadata!.name!, "cat ~/marker.txt")).toBe("periodic\n");
  });
});
