import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { devboxes, type Devbox } from "@/db/schema/devboxes";
import { snapshots } from "@/db/schema/snapshots";
import { teams, type Team } from "@/db/schema/teams";
import { postgresTestBackend } from "@/db/test-backends";
import { newId, randomSuffix } from "@/lib/ids";
import { copyImage, deleteRepository, getManifest, parseImageRef } from "@/lib/snapshots/registry";
import { gcNeededMark, markGcNeeded, scheduleRegistryGc } from "@/lib/snapshots/registry-gc";
import { repositoryOf } from "@/lib/snapshots/service";
import { listTemplates, seedBuiltinTemplates } from "@/lib/templates/queries";
import { callUntilCrash } from "@/test/support/crash-call";
import { eventually } from "./devbox-harness";

// "A GC is due" after a purge deleted manifests: before, a flag in the dashboard's memory, so a
// dashboard killed (or restarted) between the purge and the next GC interval forgot it and the
// purged blobs waited for some later purge. The purge here runs in a child process on the real
// registry and is SIGKILLed right after deleting a manifest (purge:after-manifest-delete); this
// process then plays the restarted dashboard. The sweep is the operator's DEVBOX_REGISTRY_GC_COMMAND
// (a script that counts its runs): the shared registry is not stopped for other tests' pushes.
describe("the registry GC a purge asks for survives a dashboard crash", () => {
  let db: Database;
  let url: string;
  let close: () => Promise<void>;
  let team: Team;
  let devbox: Devbox;
  let repository = "";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gc-mark-"));
  const runsFile = path.join(dir, "runs");
  const runs = () => (fs.existsSync(runsFile) ? fs.readFileSync(runsFile, "utf8").split("\n").filter(Boolean).length : 0);
  let stopGc = () => {};

  /** The dashboard's GC schedule, every 1.2 s, with this sweep command. */
  function schedule(command: string) {
    process.env.DEVBOX_REGISTRY_GC_COMMAND = command;
    process.env.DEVBOX_REGISTRY_GC_INTERVAL_MIN = "0.02";
    stopGc = scheduleRegistryGc(db);
  }
  const sweepOk = `echo ran >> ${runsFile}; echo '{"bytesBefore": 2, "bytesAfter": 1}'`;
  const intervals = (n: number) => new Promise((r) => setTimeout(r, n * 1200));

  beforeAll(async () => {
    const opened = await postgresTestBackend().open();
    ({ db, close } = opened);
    url = opened.url!;
    await seedBuiltinTemplates(db);
    const template = (await listTemplates(db))[0];
    const slug = `gcmark-${randomSuffix()}`;
    [team] = await db.insert(teams).values({ id: newId(), slug, displayName: slug, namespace: `devbox-${slug}` }).returning();
    [devbox] = await db
      .insert(devboxes)
      .values({ id: newId(), teamId: team.id, name: "box", templateId: template.id, image: template.image, cpuMillis: 1, memoryMiB: 1, diskMiB: 1, ports: [], user: "u", workingDir: "/", createdBy: null, desiredState: "stopped" })
      .returning();
    repository = repositoryOf({ namespace: team.namespace, name: "box" });
    // An old snapshot with a real manifest (the template's, copied: blobs mounted), and a newer one
    // that the purge keeps (keep = 1).
    const old = await copyImage(template.image, repository, "s-old");
    const at = Date.now();
    await db.insert(snapshots).values([
      { id: newId(), devboxId: devbox.id, teamId: team.id, image: old.image, digest: old.digest, layerCount: old.layerCount, ownLayerCount: 0, trigger: "commit", requestId: `old-${newId()}`, createdAt: new Date(at - 60_000) },
      { id: newId(), devboxId: devbox.id, teamId: team.id, image: `${repository}:s-new`, digest: `sha256:${"1".repeat(64)}`, layerCount: old.layerCount, ownLayerCount: 0, trigger: "commit", requestId: `new-${newId()}`, createdAt: new Date(at) },
    ]);
  });

  afterEach(() => {
    stopGc();
    delete process.env.DEVBOX_REGISTRY_GC_COMMAND;
    delete process.env.DEVBOX_REGISTRY_GC_INTERVAL_MIN;
  });

  afterAll(async () => {
    if (repository) await deleteRepository(repository).catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    await close?.();
  });

  it("killed right after the purge deleted a manifest: the next dashboard runs the GC, once", async () => {
    const old = (await db.select().from(snapshots)).find((s) => s.requestId.startsWith("old-"))!;
    const run = await callUntilCrash({ databaseUrl: url, module: "lib/snapshots/service", fn: "purgeSnapshots", args: [{ ...devbox, namespace: team.namespace }, 1], crashPoints: ["purge:after-manifest-delete"] });
    expect(run.crashed, run.output).toBe(true);
    expect(run.point).toBe("purge:after-manifest-delete");
    expect(await getManifest(repository, parseImageRef(old.image).reference)).toBeUndefined();

    schedule(sweepOk);
    await eventually("the restarted dashboard's GC", async () => (runs() === 1 ? true : undefined), 30_000);
    await eventually("the mark cleared after the sweep", async () => ((await gcNeededMark(db)) === undefined ? true : undefined), 10_000);
    await intervals(3);
    expect(runs()).toBe(1);
  });

  it("a failed sweep leaves the mark; a mark made during a sweep is not cleared by it", async () => {
    await markGcNeeded(db);
    const before = await gcNeededMark(db);
    schedule(`echo failed >> ${runsFile}.failed; exit 1`);
    await eventually("a failed sweep", async () => (fs.existsSync(`${runsFile}.failed`) ? true : undefined), 30_000);
    await intervals(2);
    expect(await gcNeededMark(db)).toBe(before);
    stopGc();

    // Another replica's purge marks while this sweep runs: this sweep cannot have freed its blobs.
    // Another replica's purge marks while the first of these sweeps runs: that sweep cannot have
    // freed its blobs, so the mark stays for the next sweep, which clears it.
    const once = path.join(dir, "marked-during");
    const during = `[ -e ${once} ] || { touch ${once}; psql '${url}' -qc "update instance_settings set value = to_jsonb('during'::text) where key = 'registry_gc_needed'"; }`;
    schedule(`echo ran >> ${runsFile}; ${during} && echo '{"bytesBefore": 2, "bytesAfter": 1}'`);
    await eventually("the mark cleared by the sweep after the one it came during", async () => ((await gcNeededMark(db)) === undefined ? true : undefined), 30_000);
    expect(runs()).toBe(3);
  });
});
