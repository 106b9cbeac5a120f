import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import type { Database } from "./client";
import { memberships, type TeamRole } from "./schema/memberships";
import { teams, type Team } from "./schema/teams";
import { users } from "./schema/users";
import { testBackends } from "./test-backends";
import { AppError } from "@/lib/errors";
import { addMember, removeMember } from "@/lib/teams/service";

const codeOf = (e: unknown) => (e instanceof AppError ? e.code : e);

describe.each(testBackends())("team roles on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;
  let n = 0;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    await db.insert(users).values(
      ["o1", "o2", "ad", "dev", "out"].map((id) => ({ id, email: `${id}@example.com`, name: id })),
    );
  });
  afterAll(async () => close?.());

  async function team(members: Record<string, TeamRole>, personal = false): Promise<Team> {
    const id = `t${++n}`;
    const [t] = await db.insert(teams).values({ id, slug: id, displayName: id, namespace: `devbox-${id}`, personal }).returning();
    await db.insert(memberships).values(Object.entries(members).map(([userId, role]) => ({ teamId: id, userId, role })));
    return t;
  }
  const roleIn = async (t: Team, userId: string) =>
    (await db.select().from(memberships).where(and(eq(memberships.teamId, t.id), eq(memberships.userId, userId))))[0]?.role;

  it("lets only owners remove owners and admins; admins still remove developers", async () => {
    const t = await team({ o1: "owner", o2: "owner", ad: "admin", dev: "developer" });
    expect(codeOf(await removeMember(db, "ad", t, "o1").catch((e) => e))).toBe("forbidden");
    expect(await roleIn(t, "o1")).toBe("owner");
    expect(codeOf(await removeMember(db, "dev", t, "ad").catch((e) => e))).toBe("forbidden");
    await removeMember(db, "ad", t, "dev"); // allowed
    expect(await roleIn(t, "dev")).toBeUndefined();
    await removeMember(db, "o1", t, "ad"); // an owner removes an admin
    expect(await roleIn(t, "ad")).toBeUndefined();
    await removeMember(db, "o1", t, "o2"); // and another owner
    expect(await roleIn(t, "o2")).toBeUndefined();
    // A non-member is told the team does not exist.
    expect(codeOf(await removeMember(db, "out", t, "o1").catch((e) => e))).toBe("not_found");
  });

  it("lets members leave, but never the last owner", async () => {
    const t = await team({ o1: "owner", dev: "developer" });
    await removeMember(db, "dev", t, "dev");
    expect(await roleIn(t, "dev")).toBeUndefined();
    expect(codeOf(await removeMember(db, "o1", t, "o1").catch((e) => e))).toBe("bad_request");
    expect(await roleIn(t, "o1")).toBe("owner");
  });

  it("leaves at least one owner when two owners remove each other at once", async () => {
    for (let i = 0; i < 5; i++) {
      const t = await team({ o1: "owner", o2: "owner" });
      const results = await Promise.allSettled([removeMember(db, "o1", t, "o2"), removeMember(db, "o2", t, "o1")]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const owners = await db.select().from(memberships).where(and(eq(memberships.teamId, t.id), eq(memberships.role, "owner")));
      expect(owners).toHaveLength(1);
    }
  });

  it("refuses members in a personal team; admins add members to a team, only owners add owners", async () => {
    const personal = await team({ o1: "owner" }, true);
    expect(codeOf(await addMember(db, "o1", personal, "dev@example.com", "developer").catch((e) => e))).toBe("bad_request");
    expect(await roleIn(personal, "dev")).toBeUndefined();

    const t = await team({ o1: "owner", ad: "admin" });
    expect(codeOf(await addMember(db, "ad", t, "o2@example.com", "owner").catch((e) => e))).toBe("forbidden");
    await addMember(db, "ad", t, "dev@example.com", "developer");
    expect(await roleIn(t, "dev")).toBe("developer");
    expect(codeOf(await addMember(db, "dev", t, "out@example.com", "viewer").catch((e) => e))).toBe("forbidden");
    await addMember(db, "o1", t, "o2@example.com", "owner");
    expect(await roleIn(t, "o2")).toBe("owner");
  });
});
