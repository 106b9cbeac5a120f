import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { findDevbox } from "@/lib/devboxes/queries";
import { randomSuffix } from "@/lib/ids";
import { listSnapshots } from "@/lib/snapshots/service";
import { ApiClient, Dashboard } from "@/test/support/dashboard";
import { eventually, openDevboxWorld, podsFromApi, waitForState, type DevboxWorld } from "./devbox-harness";

// The real dashboard (server.ts) on PostgreSQL, shared with this test, SIGKILLed while it handles
// a user's request: a new dashboard must finish the job and close the request.
describe("dashboard killed mid-operation", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;
  let dash: Dashboard;
  let api: ApiClient;
  const base = () => `/api/v1/teams/${team.slug}/devboxes`;

  beforeAll(async () => {
    // This process only watches (to read states); it never leads.
    world = await openDevboxWorld({ who: "crash", backend: "postgres", reconcile: false });
    ({ db, owner, team } = world);
    dash = await Dashboard.create({ databaseUrl: world.url, dataDir: "/tmp/unused", instance: `crash-${randomSuffix()}`, env: { DEVBOX_LEASE_SECONDS: "4" } });
    api = new ApiClient(dash.url);
  });

  afterAll(async () => {
    await dash?.crash();
    await world?.close();
  });

  const closedOps = (devboxId: string) =>
    eventually("every operation closed by the new leader", async () => {
      const rows = await db.query.devboxOperations.findMany({ where: (o, { eq }) => eq(o.devboxId, devboxId) });
      return rows.every((o) => o.status !== "pending") ? rows : undefined;
    }, 60_000);

  it("killed between the Secret and the Pod of a create: the next dashboard creates the Pod and closes the request", async () => {
    await dash.start(["create:after-secret"]);
    await api.signIn(owner.email, "correct horse 7");
    // The answer may be lost with the process: what counts is what was recorded.
    await api.request("POST", base(), { name: "crashy", templateId: world.templateId, cpuMillis: 500, memoryMiB: 512, diskMiB: 2048 }).catch(() => {});
    await dash.exited();
    expect(dash.tail(200)).toContain("crash point create:after-secret");
    const d = (await findDevbox(db, team.id, "crashy"))!;
    expect(await podsFromApi(team.namespace, d.id)).toHaveLength(0);
    await dash.start();
    await waitForState(db, team, "crashy", "Running", 120_000);
    expect((await closedOps(d.id)).map((o) => [o.kind, o.status])).toEqual([["create", "succeeded"]]);
    expect(await podsFromApi(team.namespace, d.id)).toHaveLength(1);
  });

  it("killed while answering the stop request: the next dashboard saves, stops and closes it", async () => {
    const d = (await findDevbox(db, team.id, "crashy"))!;
    const stop = api.request("PUT", `${base()}/crashy/state`, { state: "stopped" }).catch((e) => e);
    // As soon as the request is recorded, before the stop's snapshot is taken.
    await eventually("the stop recorded", async () => ((await findDevbox(db, team.id, "crashy"))?.desiredState === "stopped" ? true : undefined), 30_000);
    await dash.crash();
    await stop;
    expect(await podsFromApi(team.namespace, d.id)).toHaveLength(1);
    await dash.start();
    await waitForState(db, team, "crashy", "Stopped", 120_000);
    const ops = await closedOps(d.id);
    expect(ops.find((o) => o.kind === "stop")?.status).toBe("succeeded");
    expect((await listSnapshots(db, d.id)).map((s) => s.trigger)).toEqual(["stop"]);
    expect(await podsFromApi(team.namespace, d.id)).toHaveLength(0);
  });
});
