import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox, stopDevbox } from "@/lib/devboxes/service";
import { randomSuffix } from "@/lib/ids";
import { crash, eventually, openDevboxWorld, podsFromApi, controlPlanes, waitForState, type DevboxWorld } from "./devbox-harness";

// The control plane runs in a child process against PostgreSQL (shared with this test), and is
// SIGKILLed in the middle of an operation: a new one must finish the job.
const instance = `crash-${randomSuffix()}`;

describe("dashboard killed mid-operation", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;
  let templateId: string;
  let planes: ReturnType<typeof controlPlanes>;
  const start = () => planes.start();

  beforeAll(async () => {
    // This process only watches (to read states); it never leads.
    world = await openDevboxWorld({ who: "crash", backend: "postgres", reconcile: false });
    ({ db, owner, team, templateId } = world);
    planes = controlPlanes(world, instance);
  });

  afterAll(async () => {
    planes?.crashAll();
    await world?.close();
  });


  it("killed during create: after restart the devbox is Running", async () => {
    const first = start();
    await createDevbox(db, team, owner.id, { name: "crashy", templateId, cpuMillis: 500, memoryMiB: 512, diskMiB: 2048 });
    const d = (await findDevbox(db, team.id, "crashy"))!;
    // Kill as soon as the reconciler has acted (the Pod exists) but before it is Running.
    await eventually("pod created by the first control plane", async () => ((await podsFromApi(team.namespace, d.id)).length > 0 ? true : undefined), 60_000);
    crash(first);
    start();
    // The new process must wait out the dead leader's Lease, then converge.
    await waitForState(db, team, "crashy", "Running", 120_000);
    // The Pod may come up on its own; the request is done only when the new leader closes it.
    const ops = await eventually("the create operation closed by the new leader", async () => {
      const rows = await db.query.devboxOperations.findMany({ where: (o, { eq }) => eq(o.devboxId, d.id) });
      return rows.every((o) => o.status !== "pending") ? rows : undefined;
    }, 60_000);
    expect(ops.map((o) => [o.kind, o.status])).toEqual([["create", "succeeded"]]);
    expect(await podsFromApi(team.namespace, d.id)).toHaveLength(1);
  });

  it("killed during stop: after restart the devbox is Stopped", async () => {
    const current = planes.latest()!;
    const d = (await findDevbox(db, team.id, "crashy"))!;
    await stopDevbox(db, team, owner.id, "crashy");
    // Kill once the stop is under way: the Pod is terminating (or already gone).
    await eventually("stop under way", async () => {
      const pods = await podsFromApi(team.namespace, d.id);
      return pods.length === 0 || pods[0].metadata?.deletionTimestamp ? true : undefined;
    }, 60_000);
    crash(current);
    start();
    await waitForState(db, team, "crashy", "Stopped", 120_000);
    expect(await podsFromApi(team.namespace, d.id)).toHaveLength(0);
  });
});
