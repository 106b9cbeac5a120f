import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./client";
import { devboxes } from "./schema/devboxes";
import { snapshots } from "./schema/snapshots";
import { teams, type Team } from "./schema/teams";
import { testBackends } from "./test-backends";
import { AppError } from "@/lib/errors";
import { assertSnapshotQuota, teamSnapshotBytes } from "@/lib/snapshots/quota";
import { commitDevbox } from "@/lib/snapshots/requests";
import { recordSnapshotOnce, type DevboxWithNamespace } from "@/lib/snapshots/service";

const GiB = 2 ** 30;

describe.each(testBackends())("snapshot storage quota on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;
  let team: Team;
  let d: DevboxWithNamespace;
  const T = "127.0.0.1:5000/devbox/debian:1";
  let n = 0;
  const snap = (bytes: number, teamId = "t1", devboxId = "d1") => ({
    id: `s${++n}`, devboxId, teamId, image: `127.0.0.1:5000/devbox-t/box:s${n}`, digest: `sha256:${n}`, bytesAdded: Math.round(bytes),
    layerCount: 2, ownLayerCount: 1, trigger: "commit" as const, requestId: `r${n}`,
  });

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    [team] = await db.insert(teams).values([
      { id: "t1", slug: "t", displayName: "T", namespace: "devbox-t" },
      { id: "t2", slug: "u", displayName: "U", namespace: "devbox-u" },
    ]).returning();
    const base = { templateId: "tpl", image: T, cpuMillis: 500, memoryMiB: 512, diskMiB: 1024, user: "devbox", workingDir: "/home/devbox" };
    const [row] = await db.insert(devboxes).values([
      { id: "d1", teamId: "t1", name: "box", ...base },
      { id: "d2", teamId: "t2", name: "box", ...base },
    ]).returning();
    d = { ...row, namespace: "devbox-t" };
  });
  afterAll(async () => close?.());

  it("lets a team under its quota commit, counting only its own snapshots", async () => {
    await db.insert(snapshots).values([snap(1 * GiB), snap(0.5 * GiB), snap(10 * GiB, "t2", "d2")]);
    expect(await teamSnapshotBytes(db, "t1")).toBe(1.5 * GiB);
    await expect(assertSnapshotQuota(db, "t1", 2 * GiB)).resolves.toBeUndefined();
  });

  it("refuses a Commit once the quota is used, with a clear message, while the stop's snapshot is still recorded", async () => {
    await db.insert(snapshots).values(snap(0.6 * GiB));
    const err = await assertSnapshotQuota(db, "t1", 2 * GiB).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("quota_exceeded");
    expect((err as AppError).message).toMatch(/snapshot storage quota \(2\.0 GB\) is exceeded: its snapshots use 2\.1 GB/);

    // Through the Commit entry point, with the quota from the environment.
    process.env.DEVBOX_TEAM_SNAPSHOT_QUOTA = "2Gi";
    try {
      await expect(commitDevbox(db, team, "someone", "box")).rejects.toThrow(/snapshot storage quota .* exceeded/);
      // The other team is not affected by this one's use.
      await expect(assertSnapshotQuota(db, "t2", 20 * GiB)).resolves.toBeUndefined();
    } finally {
      delete process.env.DEVBOX_TEAM_SNAPSHOT_QUOTA;
    }

    // A stop's snapshot goes through recordSnapshotOnce, which has no quota: the work is kept.
    const stop = await recordSnapshotOnce(
      db, d, { image: "127.0.0.1:5000/devbox-t/box:stop1", digest: "sha256:stop1", layerCount: 2, layerSize: GiB },
      { parentDigest: null, parentImage: T, ownLayerCount: 1, trigger: "stop", actorId: null, durationMs: 1, podUid: "p", requestId: "final-stop1" },
      "commit",
    );
    expect(stop.trigger).toBe("stop");
    expect(await teamSnapshotBytes(db, "t1")).toBeGreaterThan(3 * GiB);
  });
});
