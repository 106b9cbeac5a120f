import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { auditEvents } from "@/db/schema/audit-events";
import { devboxes, type Devbox } from "@/db/schema/devboxes";
import { snapshots, type Snapshot } from "@/db/schema/snapshots";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox } from "@/lib/devboxes/service";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { QUOTA_NAME } from "@/lib/k8s/team-namespace";
import { getManifest, parseImageRef } from "@/lib/snapshots/registry";
import { startFromSnapshot } from "@/lib/snapshots/requests";
import { listTemplates } from "@/lib/templates/queries";
import { adminCore, openDevboxWorld, type DevboxWorld } from "./devbox-harness";

// "Start from this snapshot" is one request: switch the image and start. Refused (here by the
// team's quota, checked against the real ResourceQuota) it must change nothing; before, the
// image switch was its own write before the start, so a refusal — or a crash — left the stopped
// devbox pointing at the older snapshot, which its next plain Start then ran instead of the newest.
describe("start from a snapshot, refused", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;
  let box: Devbox;
  let older: Snapshot;
  let newestImage: string;

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "startfrom", reconcile: false });
    ({ db, owner, team } = world);
    const templates = await listTemplates(db);
    const debian = templates.find((t) => t.id === world.templateId)!;
    // Two images the registry has: the older snapshot's, and the one the devbox starts from now.
    newestImage = templates.find((t) => t.name === "node")!.image;
    box = await createDevbox(db, team, owner.id, { name: "hist", templateId: debian.id, cpuMillis: 1000, memoryMiB: 512, diskMiB: 1024 });
    const ref = parseImageRef(debian.image);
    const m = (await getManifest(ref.repository, ref.reference))!;
    [older] = await db
      .insert(snapshots)
      .values({ id: newId(), devboxId: box.id, teamId: team.id, image: debian.image, digest: m.digest, layerCount: m.manifest.layers.length, ownLayerCount: 0, trigger: "stop", requestId: `seed-${newId()}` })
      .returning();
    await db.update(devboxes).set({ desiredState: "stopped", image: newestImage }).where(eq(devboxes.id, box.id));
    // The team may run half a CPU: this devbox asks for one.
    const quota = await adminCore.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace: team.namespace });
    quota.spec!.hard = { ...quota.spec!.hard, "limits.cpu": "500m" };
    await adminCore.replaceNamespacedResourceQuota({ name: QUOTA_NAME, namespace: team.namespace, body: quota });
  });

  afterAll(async () => world?.close());

  it("over the quota: refused, and the devbox still starts from its newest image", async () => {
    const err = await startFromSnapshot(db, team, owner.id, "hist", older.id).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("quota_exceeded");
    const after = (await findDevbox(db, team.id, "hist"))!;
    expect([after.desiredState, after.image, after.podGeneration]).toEqual(["stopped", newestImage, box.podGeneration]);
    expect((await db.select().from(auditEvents).where(eq(auditEvents.teamId, team.id))).map((e) => e.action).filter((a) => a.startsWith("devbox.") && a !== "devbox.create")).toEqual([]);
  });

  it("within the quota: switched and started in one request, logged once", async () => {
    const quota = await adminCore.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace: team.namespace });
    quota.spec!.hard = { ...quota.spec!.hard, "limits.cpu": "4" };
    await adminCore.replaceNamespacedResourceQuota({ name: QUOTA_NAME, namespace: team.namespace, body: quota });
    await startFromSnapshot(db, team, owner.id, "hist", older.id);
    const after = (await findDevbox(db, team.id, "hist"))!;
    expect([after.desiredState, after.image, after.podGeneration]).toEqual(["running", older.image, box.podGeneration + 1]);
    const events = (await db.select().from(auditEvents).where(eq(auditEvents.teamId, team.id))).filter((e) => e.action === "devbox.start");
    expect(events.map((e) => e.details)).toEqual([{ fromSnapshot: older.id, image: older.image }]);
  });
});
