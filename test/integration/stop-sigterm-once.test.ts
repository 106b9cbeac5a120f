import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox, startDevbox, stopDevbox } from "@/lib/devboxes/service";
import { commitBeforeRemoval } from "@/lib/snapshots/commit-before-removal";
import { openDevboxWorld, podsFromApi, waitForState, type DevboxWorld } from "./devbox-harness";
import { sh } from "./snapshot-helpers";

// A stop through the node agent signals every process of the container; the main process
// (lib/devboxes/main-process.ts) must then wait, not signal them again: many programs save on the
// first SIGTERM and quit at once on a second. Real cluster, real agent; what the program wrote on
// each SIGTERM is read back from the snapshot after the start.
vi.hoisted(() => {
  process.env.DEVBOX_INSTANCE = `it-term-${Math.random().toString(36).slice(2, 7)}`;
});

describe("graceful stop through the node agent", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "term", reconcile: commitBeforeRemoval });
    ({ db, owner, team } = world);
  });
  afterAll(async () => world?.close());

  const podName = async () => {
    const d = (await findDevbox(db, team.id, "once"))!;
    return (await podsFromApi(team.namespace, d.id))[0].metadata!.name!;
  };

  it("a program with a SIGTERM handler gets exactly one SIGTERM, and the main process waits until it is done", async () => {
    await createDevbox(db, team, owner.id, { name: "once", templateId: world.templateId, cpuMillis: 500, memoryMiB: 512, diskMiB: 2048 });
    await waitForState(db, team, "once", "Running");
    // It runs until its first SIGTERM, then saves for a second more; every SIGTERM is written down.
    await sh(
      team.namespace,
      await podName(),
      `setsid nohup bash -c 'trap "echo term >> ~/terms; t=1" TERM; while [ -z "$t" ]; do sleep 0.2; done; sleep 1; echo done >> ~/terms' >/dev/null 2>&1 &`,
    );
    await stopDevbox(db, team, owner.id, "once");
    await waitForState(db, team, "once", "Stopped");
    await startDevbox(db, team, owner.id, "once");
    await waitForState(db, team, "once", "Running");
    expect(await sh(team.namespace, await podName(), "cat ~/terms")).toBe("term\ndone\n");
  });
});
