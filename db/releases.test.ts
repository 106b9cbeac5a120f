import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./client";
import { apps } from "./schema/apps";
import { devboxes } from "./schema/devboxes";
import { releases } from "./schema/releases";
import { snapshots } from "./schema/snapshots";
import { teams, type Team } from "./schema/teams";
import { testBackends } from "./test-backends";
import { AppError } from "@/lib/errors";
import { buildRelease, resumeStaleReleases, STALE_MS } from "@/lib/releases/build";
import { createRelease, deleteRelease, listReleases } from "@/lib/releases/requests";
import { createReleaseBody } from "@/lib/releases/schemas";
import { deleteDevbox } from "@/lib/devboxes/service";
import { listTeamAudit } from "@/lib/audit/record";

// The release model without a cluster: tags unique per devbox, a release in use cannot be deleted,
// a pending release left by a crash converges (here: to failed, with the reason) and never to ready.
describe.each(testBackends())("releases on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;
  let team: Team;
  const base = { templateId: "tpl", image: "127.0.0.1:5000/devbox/base:bookworm", cpuMillis: 500, memoryMiB: 512, diskMiB: 1024, user: "devbox", workingDir: "/home/devbox/project" };
  const rel = (id: string, devboxId: string, tag: string, extra: Partial<typeof releases.$inferInsert> = {}) => ({
    id, devboxId, teamId: "t1", tag, entrypoint: ["/home/devbox/project/entrypoint.sh"], workingDir: "/home/devbox/project", ...extra,
  });

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    [team] = await db.insert(teams).values({ id: "t1", slug: "t", displayName: "T", namespace: "devbox-t" }).returning();
    await db.insert(devboxes).values([
      { id: "d1", teamId: "t1", name: "box", desiredState: "stopped", ...base },
      { id: "d2", teamId: "t1", name: "other", desiredState: "stopped", ...base },
      { id: "d3", teamId: "t1", name: "never", desiredState: "stopped", ...base },
    ]);
    await db.insert(snapshots).values({ id: "s1", devboxId: "d1", teamId: "t1", image: "127.0.0.1:5000/devbox-t/box:s1", digest: "sha256:1", layerCount: 2, ownLayerCount: 1, trigger: "stop", requestId: "r1" });
  });
  afterAll(async () => close?.());

  it("a tag is unique per devbox, not per team", async () => {
    await db.insert(releases).values(rel("r1", "d1", "v1", { status: "ready" }));
    await expect(db.insert(releases).values(rel("r2", "d1", "v1"))).rejects.toThrow();
    await db.insert(releases).values(rel("r3", "d2", "v1", { status: "failed", failureReason: "x" }));
    expect((await listReleases(db, "d1")).map((r) => r.release.tag)).toEqual(["v1"]);
  });

  it("createRelease refuses a duplicate tag and a devbox that never ran, and records nothing", async () => {
    const dup = await createRelease(db, team, "u1", "box", createReleaseBody.parse({ tag: "v1" })).catch((e) => e);
    expect(dup).toBeInstanceOf(AppError);
    expect(dup.code).toBe("conflict");
    const never = await createRelease(db, team, "u1", "never", createReleaseBody.parse({ tag: "v1" })).catch((e) => e);
    expect(never.message).toMatch(/never run/);
    expect(await db.select().from(releases).where(eq(releases.devboxId, "d3"))).toEqual([]);
  });

  it("a release an app runs cannot be deleted (the check and the foreign key)", async () => {
    await db.insert(apps).values({ id: "a1", teamId: "t1", name: "site", devboxId: "d1", releaseId: "r1", replicas: 1, cpuMillis: 250, memoryMiB: 128 });
    const err = await deleteRelease(db, team, "u1", "box", "v1").catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.message).toMatch(/"site" runs this release/);
    await expect(db.delete(releases).where(eq(releases.id, "r1"))).rejects.toThrow();
    // nor the devbox whose release it is
    await expect(deleteDevbox(db, team, "u1", "box")).rejects.toThrow(/"site" runs a release of this devbox/);
    expect((await db.select().from(devboxes).where(eq(devboxes.id, "d1")))[0].desiredState).toBe("stopped");
    expect((await listReleases(db, "d1"))[0].apps).toEqual(["site"]);
    // the allowed side: once the app is gone, the delete goes through
    await db.delete(apps).where(eq(apps.id, "a1"));
    await deleteRelease(db, team, "u1", "box", "v1");
    expect(await listReleases(db, "d1")).toEqual([]);
    // in the audit log, with who and which release
    expect((await listTeamAudit(db, "t1")).find((e) => e.action === "release.delete")).toMatchObject({ actorId: "u1", target: "box:v1" });
  });

  // Two connections at once: PostgreSQL only (PGlite has one, where nothing interleaves).
  it.runIf(backend.name === "postgres")("a deploy racing a devbox delete: the delete waits for the deploy's row lock, then refuses", async () => {
    await db.insert(devboxes).values({ id: "d4", teamId: "t1", name: "racy", desiredState: "stopped", ...base });
    await db.insert(releases).values(rel("r4", "d4", "v1", { status: "ready" }));
    let deleting: Promise<unknown> | undefined;
    await db.transaction(async (tx) => {
      // what createApp does (lib/apps/service.ts): the devbox row locked shared, then the app row
      await tx.select({ id: devboxes.id }).from(devboxes).where(eq(devboxes.id, "d4")).for("share");
      await tx.insert(apps).values({ id: "a4", teamId: "t1", name: "racer", devboxId: "d4", releaseId: "r4", replicas: 1, cpuMillis: 250, memoryMiB: 128 });
      // the delete's first check sees no app yet (uncommitted); its UPDATE then waits for this lock
      deleting = deleteDevbox(db, team, "u1", "racy").then(() => "deleted", (e: Error) => e.message);
      await new Promise((r) => setTimeout(r, 300));
    });
    expect(await deleting).toMatch(/"racer" runs a release of this devbox/);
    expect((await db.select().from(devboxes).where(eq(devboxes.id, "d4")))[0].desiredState).toBe("stopped");
    // the allowed side: with the app gone, the same delete goes through
    await db.delete(apps).where(eq(apps.id, "a4"));
    await deleteDevbox(db, team, "u1", "racy");
    expect((await db.select().from(devboxes).where(eq(devboxes.id, "d4")))[0].desiredState).toBe("deleted");
  });

  it("a pending release left by a crash is resumed and converges to failed with a reason, never ready", async () => {
    const old = new Date(Date.now() - STALE_MS - 1000);
    // running devbox committed for the release, but it stopped and no snapshot was recorded
    await db.insert(releases).values(rel("p1", "d2", "v2", { status: "pending", phase: "commit", heartbeatAt: old }));
    // a fresh one another process is building: left alone
    await db.insert(releases).values(rel("p2", "d2", "v3", { status: "pending", phase: "commit" }));
    await resumeStaleReleases(db);
    const r = await buildRelease(db, "p1");
    expect(r.status).toBe("failed");
    expect(r.failureReason).toMatch(/stopped before its changes were committed/);
    expect(r.digest).toBeNull();
    const [fresh] = await db.select().from(releases).where(eq(releases.id, "p2"));
    expect(fresh.status).toBe("pending");
    // a finished release is not built again
    expect((await buildRelease(db, "p1")).status).toBe("failed");
  });
});
