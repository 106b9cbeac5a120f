import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./client";
import { devboxes } from "./schema/devboxes";
import { registryHolds } from "./schema/registry-holds";
import { snapshots } from "./schema/snapshots";
import { teams } from "./schema/teams";
import { testBackends } from "./test-backends";
import { beginPush, endPush, RegistryBusyError, whileNoPushes } from "@/lib/snapshots/registry-holds";
import { adoptSnapshot, recordSnapshotOnce, type DevboxWithNamespace } from "@/lib/snapshots/service";

// What the stop path relies on after a crash at any point: the record and the image switch are
// one transaction, a retry never steps back to an older image, and GC never overlaps a push.
describe.each(testBackends())("snapshot adoption on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;
  let d: DevboxWithNamespace;
  const T = "127.0.0.1:5000/devbox/debian:1";
  const pushed = (tag: string, layerCount = 2) => ({ image: `127.0.0.1:5000/devbox-t/box:${tag}`, digest: `sha256:${tag}`, layerCount });
  const facts = (requestId: string, parentImage: string, trigger: "stop" | "merge" | "periodic" = "stop", podUid = "pod-1") => ({
    parentDigest: null, parentImage, ownLayerCount: 1, trigger, actorId: null, durationMs: 1, podUid, requestId,
  });
  const image = async () => (await db.select({ image: devboxes.image }).from(devboxes).where(eq(devboxes.id, d.id)))[0].image;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    await db.insert(teams).values({ id: "t1", slug: "t", displayName: "T", namespace: "devbox-t", personal: false });
    const [row] = await db
      .insert(devboxes)
      .values({ id: "d1", teamId: "t1", name: "box", templateId: "tpl", image: T, cpuMillis: 500, memoryMiB: 512, diskMiB: 1024, user: "devbox", workingDir: "/home/devbox" })
      .returning();
    d = { ...row, namespace: "devbox-t" };
  });
  afterAll(async () => close?.());

  it("records a commit and switches the image together; a retry of the request makes no twin", async () => {
    await beginPush(db, "final-1");
    const s1 = await recordSnapshotOnce(db, d, pushed("s1"), facts("final-1", T), "commit");
    expect(await image()).toBe(s1.image);
    // The push hold was released in the same transaction.
    expect(await db.select().from(registryHolds)).toEqual([]);
    const again = await recordSnapshotOnce(db, d, pushed("s1"), facts("final-1", T), "commit");
    expect(again.id).toBe(s1.id);
    expect(await db.select().from(snapshots)).toHaveLength(1);
  });

  it("a merge replaces exactly the image it flattened, and a late retry of the commit does not step back", async () => {
    const [s1] = await db.select().from(snapshots).where(eq(snapshots.requestId, "final-1"));
    const m1 = await recordSnapshotOnce(db, d, pushed("m1", 2), facts(`merge-${s1.id}`, s1.image, "merge"), "merge");
    expect(await image()).toBe(m1.image);
    await adoptSnapshot(db, d.id, s1);
    expect(await image()).toBe(m1.image);
  });

  it("a newer commit of the same Pod (built on the Pod's image) wins over an older merge; an old merge never replaces it", async () => {
    const s2 = await recordSnapshotOnce(db, d, pushed("s2", 2), facts("periodic-2", T, "periodic"), "commit");
    expect(await image()).toBe(s2.image);
    const [s1] = await db.select().from(snapshots).where(eq(snapshots.requestId, "final-1"));
    await recordSnapshotOnce(db, d, pushed("m1b", 2), facts(`merge-again-${s1.id}`, s1.image, "merge"), "merge");
    expect(await image()).toBe(s2.image);
  });

  it("a commit built on an image the devbox no longer starts from (another line of history) is recorded but not adopted", async () => {
    const other = await recordSnapshotOnce(db, d, pushed("x1"), facts("final-x", "127.0.0.1:5000/devbox-t/box:unrelated", "stop", "pod-2"), "commit");
    const [s2] = await db.select().from(snapshots).where(eq(snapshots.requestId, "periodic-2"));
    expect(other.createdAt.getTime()).toBeGreaterThanOrEqual(s2.createdAt.getTime());
    expect(await image()).toBe(s2.image);
  });

  it("garbage collection waits for pushes in flight, and pushes wait for a sweep", async () => {
    await beginPush(db, "in-flight");
    let swept = false;
    expect(await whileNoPushes(db, async () => (swept = true))).toBeUndefined();
    expect(swept).toBe(false);
    await endPush(db, "in-flight");
    let pushDuringSweep: unknown;
    expect(
      await whileNoPushes(db, async () => {
        pushDuringSweep = await beginPush(db, "during-sweep").catch((e) => e);
        return "swept";
      }),
    ).toBe("swept");
    expect(pushDuringSweep).toBeInstanceOf(RegistryBusyError);
    // The refused push left no hold behind, and the sweep released its own.
    expect(await db.select().from(registryHolds)).toEqual([]);
  });

  it("holds of a crashed process expire", async () => {
    await db.insert(registryHolds).values({ id: "push:dead", kind: "push", expiresAt: new Date(Date.now() - 1000) });
    expect(await whileNoPushes(db, async () => "swept")).toBe("swept");
  });
});
