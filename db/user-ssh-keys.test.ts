import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "./client";
import { auditEvents } from "./schema/audit-events";
import { memberships } from "./schema/memberships";
import { teams } from "./schema/teams";
import { users } from "./schema/users";
import { testBackends } from "./test-backends";
import { ed25519KeyPair } from "@/lib/devboxes/ssh-keys";
import { AppError } from "@/lib/errors";
import { addSshKey, deleteSshKey, listSshKeys, teamDeveloperKeys } from "@/lib/ssh/user-keys";

describe.each(testBackends())("users' SSH keys on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    await db.insert(users).values(["own", "dev", "vw", "out"].map((id) => ({ id, email: `${id}@example.com`, name: id })));
    await db.insert(teams).values({ id: "t1", slug: "t1", displayName: "T1", namespace: "devbox-t1" });
    await db.insert(memberships).values([
      { teamId: "t1", userId: "own", role: "owner" },
      { teamId: "t1", userId: "dev", role: "developer" },
      { teamId: "t1", userId: "vw", role: "viewer" },
    ]);
  });
  afterAll(async () => close?.());

  it("adds, lists, refuses a duplicate, and authorizes exactly the team's developers and up", async () => {
    const keys = Object.fromEntries(["own", "dev", "vw", "out"].map((u) => [u, ed25519KeyPair(`${u}@laptop`).publicKey]));
    for (const [u, k] of Object.entries(keys)) await addSshKey(db, u, { name: "", publicKey: k });
    expect((await listSshKeys(db, "dev")).map((k) => k.name)).toEqual(["dev@laptop"]);
    await expect(addSshKey(db, "dev", { name: "again", publicKey: keys.dev })).rejects.toThrow(AppError);
    const authorized = await teamDeveloperKeys(db, "t1");
    expect(authorized.map((k) => k.userId).sort()).toEqual(["dev", "own"]); // not the viewer, not the outsider
    expect(authorized.find((k) => k.userId === "dev")!.key).toBe(keys.dev.trim().split(" ").slice(0, 2).join(" "));

    const [mine] = await listSshKeys(db, "dev");
    await expect(deleteSshKey(db, "own", mine.id)).rejects.toThrow(/SSH key not found/); // not theirs to delete
    await deleteSshKey(db, "dev", mine.id);
    expect((await teamDeveloperKeys(db, "t1")).map((k) => k.userId)).toEqual(["own"]);
    const audit = await db.select().from(auditEvents).where(eq(auditEvents.actorId, "dev"));
    expect(audit.map((a) => a.action).sort()).toEqual(["ssh_key.add", "ssh_key.delete"]);
  });
});
