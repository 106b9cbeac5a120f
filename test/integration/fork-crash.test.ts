import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { releases } from "@/db/schema/releases";
import { snapshots, type Snapshot } from "@/db/schema/snapshots";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox } from "@/lib/devboxes/service";
import { newId } from "@/lib/ids";
import { forkFromRelease } from "@/lib/releases/requests";
import { copyImage, deleteRepository, getManifest, parseImageRef } from "@/lib/snapshots/registry";
import { forkFromSnapshot } from "@/lib/snapshots/requests";
import { listSnapshots, repositoryOf } from "@/lib/snapshots/service";
import { listTemplates } from "@/lib/templates/queries";
import { callUntilCrash } from "@/test/support/crash-call";
import { openDevboxWorld, type DevboxWorld } from "./devbox-harness";

// A fork (of a snapshot or of a release) is a new devbox row plus the record of the snapshot it
// starts from, whose own-layer count the next commits and merges build on. The process is
// SIGKILLed between the two (crash point fork:before-record): the fork must not exist without its
// record, and the user's retry with the same name must make it whole. Before, the row committed
// alone: the retry was refused ("already exists") and the fork stayed without its history.
// Real registry (the copy), real team namespace (the quota check); no Pod is started.
describe("fork killed between its devbox and its snapshot record", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;
  let source: Snapshot;
  const repos: string[] = [];

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "forkcrash", backend: "postgres", reconcile: false });
    ({ db, owner, team } = world);
    const template = (await listTemplates(db)).find((t) => t.id === world.templateId)!;
    const src = await createDevbox(db, team, owner.id, { name: "src", templateId: template.id, cpuMillis: 250, memoryMiB: 256, diskMiB: 1024 });
    // What an unchanged commit records: the image the devbox runs (here its template's), by its digest.
    const ref = parseImageRef(template.image);
    const manifest = (await getManifest(ref.repository, ref.reference))!;
    [source] = await db
      .insert(snapshots)
      .values({ id: newId(), devboxId: src.id, teamId: team.id, image: template.image, digest: manifest.digest, layerCount: manifest.manifest.layers.length, ownLayerCount: 0, trigger: "stop", requestId: `seed-${newId()}` })
      .returning();
    repos.push(repositoryOf({ namespace: team.namespace, name: "src" }) + "/releases");
  });

  afterAll(async () => {
    for (const r of repos) await deleteRepository(r).catch(() => {});
    await world?.close();
  });

  async function expectWholeFork(name: string) {
    const fork = (await findDevbox(db, team.id, name))!;
    repos.push(repositoryOf({ namespace: team.namespace, name }));
    const history = await listSnapshots(db, fork.id);
    expect(history.map((s) => [s.trigger, s.image])).toEqual([["fork", fork.image]]);
    const ref = parseImageRef(fork.image);
    expect(await getManifest(ref.repository, ref.reference)).toBeDefined();
  }

  it("of a snapshot: nothing half-made is left, and the retry makes the fork with its record", async () => {
    const run = await callUntilCrash({ databaseUrl: world.url!, module: "lib/snapshots/requests", fn: "forkFromSnapshot", args: [team, owner.id, "src", source.id, "snapcopy"], crashPoints: ["fork:before-record"] });
    expect(run.crashed, run.output).toBe(true);
    expect(run.point).toBe("fork:before-record");
    repos.push(repositoryOf({ namespace: team.namespace, name: "snapcopy" }));
    const left = await findDevbox(db, team.id, "snapcopy");
    if (left) expect(await listSnapshots(db, left.id)).toHaveLength(1);
    await forkFromSnapshot(db, team, owner.id, "src", source.id, "snapcopy");
    await expectWholeFork("snapcopy");
  });

  it("of a release: nothing half-made is left, and the retry makes the fork with its record", async () => {
    const src = (await findDevbox(db, team.id, "src"))!;
    const made = await copyImage(source.image, `${repositoryOf({ namespace: team.namespace, name: "src" })}/releases`, "v1");
    await db.insert(releases).values({
      id: newId(),
      devboxId: src.id,
      teamId: team.id,
      tag: "v1",
      status: "ready",
      snapshotId: source.id,
      sourceImage: source.image,
      image: made.image,
      digest: made.digest,
      entrypoint: ["/bin/true"],
      workingDir: "/",
      createdBy: owner.id,
    });
    const run = await callUntilCrash({ databaseUrl: world.url!, module: "lib/releases/requests", fn: "forkFromRelease", args: [team, owner.id, "src", "v1", "relcopy"], crashPoints: ["fork:before-record"] });
    expect(run.crashed, run.output).toBe(true);
    expect(run.point).toBe("fork:before-record");
    repos.push(repositoryOf({ namespace: team.namespace, name: "relcopy" }));
    const left = await findDevbox(db, team.id, "relcopy");
    if (left) expect(await listSnapshots(db, left.id)).toHaveLength(1);
    await forkFromRelease(db, team, owner.id, "src", "v1", "relcopy");
    await expectWholeFork("relcopy");
    expect((await db.select().from(releases).where(eq(releases.devboxId, src.id))).map((r) => r.status)).toEqual(["ready"]);
  });
});
