import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { auditEvents } from "@/db/schema/audit-events";
import { teams } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { randomSuffix } from "@/lib/ids";
import { copyImage, deleteRepository, getManifest } from "@/lib/snapshots/registry";
import { namespaceForTeam } from "@/lib/teams/namespace-name";
import { createTeam, deleteTeam } from "@/lib/teams/service";
import { listTemplates } from "@/lib/templates/queries";
import { callUntilCrash } from "@/test/support/crash-call";
import { adminCore, eventually, openDevboxWorld, type DevboxWorld } from "./devbox-harness";

// A team's deletion is its namespace, the registry's repositories under it, then its row. The
// process is SIGKILLed right after the namespace is gone (crash point team:after-namespace-delete).
// Before, nothing recorded that a deletion was under way: the team stayed, without its namespace
// and with its images, until the user happened to delete it again. Now the request is recorded
// (teams.deleting_since, with its audit event) and the reconciler's leader finishes it.
// Real cluster (namespace), real registry (a repository under the namespace), PostgreSQL.
describe("team deletion killed after its namespace is gone", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  const slug = `teamdel-${randomSuffix()}`;
  const slug2 = `teamdel-${randomSuffix()}`;
  let repository = "";

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "teamdel", backend: "postgres" });
    ({ db, owner } = world);
  });

  afterAll(async () => {
    if (repository) await deleteRepository(repository).catch(() => {});
    for (const s of [slug, slug2]) await adminCore.deleteNamespace({ name: namespaceForTeam(s) }).catch(() => {});
    await world?.close();
  });

  it("the reconciler finishes it without the user's retry: no row, no images, logged once", async () => {
    const doomed = await createTeam(db, owner.id, { slug });
    const template = (await listTemplates(db)).find((t) => t.id === world.templateId)!;
    repository = `${doomed.namespace}/box`;
    await copyImage(template.image, repository, "s-1");

    const run = await callUntilCrash({ databaseUrl: world.url!, module: "lib/teams/service", fn: "deleteTeam", args: [owner.id, doomed], crashPoints: ["team:after-namespace-delete"] });
    expect(run.crashed, run.output).toBe(true);
    expect(run.point).toBe("team:after-namespace-delete");
    expect(await getManifest(repository, "s-1")).toBeDefined();

    // The minute the request had to finish it, passed (moved back rather than waited for).
    await db.update(teams).set({ deletingSince: new Date(Date.now() - 120_000) }).where(eq(teams.id, doomed.id));
    await eventually("the reconciler finishing the deletion", async () => ((await db.select().from(teams).where(eq(teams.id, doomed.id))).length === 0 ? true : undefined), 60_000);
    expect(await getManifest(repository, "s-1")).toBeUndefined();
    expect(await db.select().from(auditEvents).where(and(eq(auditEvents.teamId, doomed.id), eq(auditEvents.action, "team.delete")))).toHaveLength(1);
    await eventually("the namespace gone", async () => ((await adminCore.readNamespace({ name: doomed.namespace }).then(() => false, () => true)) ? true : undefined), 120_000);
  });

  it("the user's retry before the reconciler finishes it too, and is not logged as a second deletion", async () => {
    const doomed = await createTeam(db, owner.id, { slug: slug2 });
    const run = await callUntilCrash({ databaseUrl: world.url!, module: "lib/teams/service", fn: "deleteTeam", args: [owner.id, doomed], crashPoints: ["team:after-namespace-delete"] });
    expect(run.crashed, run.output).toBe(true);
    await deleteTeam(db, owner.id, doomed);
    expect(await db.select().from(teams).where(eq(teams.id, doomed.id))).toHaveLength(0);
    expect(await db.select().from(auditEvents).where(and(eq(auditEvents.teamId, doomed.id), eq(auditEvents.action, "team.delete")))).toHaveLength(1);
  });
});
