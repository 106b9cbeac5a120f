import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { auditEvents } from "@/db/schema/audit-events";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox } from "@/lib/devboxes/service";
import { commitDevbox } from "@/lib/snapshots/requests";
import { deleteRepository } from "@/lib/snapshots/registry";
import { listSnapshots, repositoryOf } from "@/lib/snapshots/service";
import { callUntilCrash } from "@/test/support/crash-call";
import { openDevboxWorld, waitForState, type DevboxWorld } from "./devbox-harness";

// The Commit button: the node agent commits and pushes, the snapshot is recorded, and the audit
// event says who made it. The process is SIGKILLed at the event (crash point audit:before-event):
// a snapshot must never be recorded without it. Before, the event came after the record's
// transaction: killed there, the snapshot stayed with no trace of who made it, and the user's
// retry is another commit (a new request id) that logs only itself. Real cluster, agent, registry.
describe("Commit killed between its snapshot record and its audit event", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "commitaudit", backend: "postgres" });
    ({ db, owner, team } = world);
    await createDevbox(db, team, owner.id, { name: "box", templateId: world.templateId, cpuMillis: 250, memoryMiB: 256, diskMiB: 1024 });
    await waitForState(db, team, "box", "Running", 180_000);
  }, 240_000);

  afterAll(async () => {
    if (team) await deleteRepository(repositoryOf({ namespace: team.namespace, name: "box" })).catch(() => {});
    await world?.close();
  });

  it("every recorded commit has its event, once; the retry commits and logs itself", async () => {
    const d = (await findDevbox(db, team.id, "box"))!;
    const commits = async () => (await listSnapshots(db, d.id)).filter((s) => s.trigger === "commit");
    const eventsOf = async (image: string) =>
      (await db.select().from(auditEvents).where(and(eq(auditEvents.teamId, team.id), eq(auditEvents.action, "devbox.commit")))).filter((e) => (e.details as { image?: string }).image === image);

    const run = await callUntilCrash({ databaseUrl: world.url!, module: "lib/snapshots/requests", fn: "commitDevbox", args: [team, owner.id, "box"], crashPoints: ["audit:before-event"], podCache: true }, 120_000);
    expect(run.crashed, run.output).toBe(true);
    expect(run.point).toBe("audit:before-event");
    for (const s of await commits()) expect(await eventsOf(s.image), `snapshot ${s.image} after the crash`).toHaveLength(1);

    const snap = await commitDevbox(db, team, owner.id, "box");
    expect((await commits()).map((s) => s.image)).toContain(snap.image);
    for (const s of await commits()) expect(await eventsOf(s.image), `snapshot ${s.image}`).toHaveLength(1);
  }, 240_000);
});
