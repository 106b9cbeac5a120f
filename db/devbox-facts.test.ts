import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./client";
import { devboxOperations } from "./schema/devbox-operations";
import { devboxes } from "./schema/devboxes";
import { snapshots } from "./schema/snapshots";
import { teams } from "./schema/teams";
import { users } from "./schema/users";
import { testBackends } from "./test-backends";
import { onDevboxChange } from "@/lib/devboxes/change-bus";
import { devboxFacts } from "@/lib/devboxes/facts";
import { finishOperations } from "@/lib/devboxes/queries";
import { setSignupOpen } from "@/lib/settings/instance";
import { firstAccountPending } from "@/lib/users/first-visit";

describe.each(testBackends())("what the devbox pages show besides live state, on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
  });
  afterAll(async () => close?.());

  it("sends a fresh install's first visit to the first-account page, and no later one", async () => {
    expect(await firstAccountPending(db)).toBe(true);
    await setSignupOpen(db, false);
    expect(await firstAccountPending(db)).toBe(false);
    await setSignupOpen(db, true);
    await db.insert(users).values({ id: "u1", email: "ana@example.com", name: "Ana" });
    expect(await firstAccountPending(db)).toBe(false);
  });

  it("names who created each devbox and its newest snapshot, in one call for a list", async () => {
    await db.insert(teams).values({ id: "t1", slug: "t", displayName: "T", namespace: "devbox-t" });
    const base = { teamId: "t1", templateId: "tpl", image: "img", cpuMillis: 500, memoryMiB: 512, diskMiB: 1024, user: "devbox", workingDir: "/home/devbox" };
    await db.insert(devboxes).values([
      { id: "d1", name: "one", createdBy: "u1", ...base },
      { id: "d2", name: "two", createdBy: null, ...base },
    ]);
    const snap = (id: string, at: string, bytes: number) => ({
      id, devboxId: "d1", teamId: "t1", image: `img:${id}`, digest: `sha256:${id}`, bytesAdded: bytes, layerCount: 2, ownLayerCount: 1,
      trigger: "stop" as const, requestId: id, createdAt: new Date(at),
    });
    await db.insert(snapshots).values([snap("s1", "2026-01-01T10:00:00Z", 100), snap("s2", "2026-01-02T10:00:00Z", 2048), snap("s0", "2025-12-31T10:00:00Z", 5)]);
    const facts = await devboxFacts(db, ["d1", "d2"]);
    expect(facts.d1).toEqual({ createdBy: "ana@example.com", lastSnapshot: { at: "2026-01-02T10:00:00.000Z", bytesAdded: 2048, trigger: "stop" } });
    expect(facts.d2).toEqual({ createdBy: null, lastSnapshot: null });
    expect(await devboxFacts(db, [])).toEqual({});
  });

  it("tells open pages when an operation ends (so 'start — pending' does not stay), once", async () => {
    await db.insert(devboxOperations).values({ id: "op1", devboxId: "d1", teamId: "t1", kind: "start" });
    const seen: string[] = [];
    const off = onDevboxChange((id) => seen.push(id));
    try {
      await finishOperations(db, "d1", ["start"], { status: "succeeded" });
      expect(seen).toEqual(["d1"]);
      // Nothing left pending: no announcement, so the reconciler that wakes on it does not loop.
      await finishOperations(db, "d1", ["start"], { status: "succeeded" });
      expect(seen).toEqual(["d1"]);
    } finally {
      off();
    }
  });
});
