import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "./client";
import { apiTokens } from "./schema/api-tokens";
import { auditEvents } from "./schema/audit-events";
import { devboxes } from "./schema/devboxes";
import { memberships } from "./schema/memberships";
import { teams } from "./schema/teams";
import { users } from "./schema/users";
import { testBackends } from "./test-backends";
import { AccessWatcher } from "@/lib/auth/access-watch";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { requireInstanceAdmin, requireTeamRole } from "@/lib/authz/team-access";
import { AppError } from "@/lib/errors";
import { hashToken } from "@/lib/tokens/secret";
import { authenticateToken, createToken, listTokens, revokeToken } from "@/lib/tokens/service";

const codeOf = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === "function" ? p() : p);
    return "ok";
  } catch (err) {
    if (err instanceof AppError) return `${err.code}: ${err.message}`;
    throw err;
  }
};

describe.each(testBackends())("API tokens on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;
  const dev = { id: "dev", email: "dev@example.com", name: "Dev", isInstanceAdmin: false };
  const viewer = { id: "vw", email: "vw@example.com", name: "Viewer", isInstanceAdmin: false };

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    (globalThis as Record<symbol, unknown>)[Symbol.for("devbox.database")] = Promise.resolve({ db, kind: backend.name });
    await db.insert(users).values([dev, viewer]);
    await db.insert(teams).values([
      { id: "t1", slug: "t1", displayName: "T1", namespace: "devbox-t1" },
      { id: "t2", slug: "t2", displayName: "T2", namespace: "devbox-t2" },
    ]);
    await db.insert(memberships).values([
      { teamId: "t1", userId: "dev", role: "developer" },
      { teamId: "t2", userId: "dev", role: "developer" },
      { teamId: "t1", userId: "vw", role: "viewer" },
    ]);
    const box = { templateId: "tpl", image: "img", cpuMillis: 500, memoryMiB: 512, diskMiB: 1024, user: "devbox", workingDir: "/home/devbox" };
    await db.insert(devboxes).values([
      { id: "b1", teamId: "t1", name: "alpha", ...box },
      { id: "b2", teamId: "t1", name: "beta", ...box },
      { id: "b3", teamId: "t2", name: "gamma", ...box },
    ]);
  });
  afterAll(async () => {
    delete (globalThis as Record<symbol, unknown>)[Symbol.for("devbox.database")];
    await close?.();
  });

  it("stores only a hash, shows the secret once with a scannable prefix, lists without it", async () => {
    const { token, view } = await createToken(db, { ...dev, passwordHash: null, sessionVersion: 0, createdAt: new Date() }, {
      name: "laptop",
      scopes: ["devboxes:read"],
    });
    expect(token).toMatch(/^dbx_pat_[A-Za-z0-9_-]{43}$/);
    const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, view.id));
    expect(row.secretHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token.slice(8));
    // Default expiry: 30 days.
    expect(Math.round((row.expiresAt.getTime() - Date.now()) / 86_400_000)).toBe(30);
    const listed = await listTokens(db, "dev");
    expect(listed.map((t) => t.name)).toContain("laptop");
    expect(JSON.stringify(listed)).not.toContain(token.slice(12));
    expect(listed.find((t) => t.id === view.id)?.prefix).toBe(`${token.slice(0, 12)}…`);
    const audit = await db.select().from(auditEvents).where(eq(auditEvents.target, view.id));
    expect(audit.map((a) => a.action)).toEqual(["token.create"]);
  });

  it("refuses an expiry beyond the instance maximum", async () => {
    const u = { ...dev, passwordHash: null, sessionVersion: 0, createdAt: new Date() };
    expect(await codeOf(createToken(db, u, { name: "x", scopes: ["admin"], expiresInDays: 366 }))).toMatch(/^bad_request: .*365 days/);
    expect(await codeOf(createToken(db, u, { name: "x", scopes: ["admin"], expiresInDays: 365 }))).toBe("ok");
  });

  it("authenticates, records last use, and stops working on the next request after revocation or expiry", async () => {
    const u = { ...dev, passwordHash: null, sessionVersion: 0, createdAt: new Date() };
    const { token, view } = await createToken(db, u, { name: "ci", scopes: ["devboxes:write"] });
    const actor = await authenticateToken(db, token);
    expect(actor.id).toBe("dev");
    expect(actor.token.scopes).toEqual(["devboxes:write"]);
    expect((await listTokens(db, "dev")).find((t) => t.id === view.id)?.lastUsedAt).not.toBeNull();

    await revokeToken(db, "dev", view.id);
    expect(await codeOf(authenticateToken(db, token))).toMatch(/^unauthorized: This API token was revoked/);
    expect((await listTokens(db, "dev")).some((t) => t.id === view.id)).toBe(false);
    // Someone else cannot revoke (or learn about) my token.
    const other = await createToken(db, u, { name: "other", scopes: ["devboxes:read"] });
    expect(await codeOf(revokeToken(db, "vw", other.view.id))).toMatch(/^not_found/);
    expect(await codeOf(authenticateToken(db, other.token))).toBe("ok");

    await db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, other.view.id));
    expect(await codeOf(authenticateToken(db, other.token))).toMatch(/^unauthorized: This API token expired/);
    expect(await codeOf(authenticateToken(db, "dbx_pat_" + "A".repeat(43)))).toMatch(/^unauthorized: This API token is not valid/);
    expect(await codeOf(authenticateToken(db, "nonsense"))).toMatch(/^unauthorized/);
  });

  it("enforces scopes, and never gives more than the user's role", async () => {
    const u = { ...dev, passwordHash: null, sessionVersion: 0, createdAt: new Date() };
    const read = await authenticateToken(db, (await createToken(db, u, { name: "r", scopes: ["devboxes:read"] })).token);
    const write = await authenticateToken(db, (await createToken(db, u, { name: "w", scopes: ["devboxes:write"] })).token);
    const ssh = await authenticateToken(db, (await createToken(db, u, { name: "s", scopes: ["devboxes:ssh"] })).token);
    expect(await codeOf(requireDevboxRole(read, "t1", "alpha", "viewer"))).toBe("ok");
    expect(await codeOf(requireDevboxRole(read, "t1", "alpha", "developer"))).toMatch(/^forbidden: This API token lacks the devboxes:write scope/);
    expect(await codeOf(requireDevboxRole(write, "t1", "alpha", "developer"))).toBe("ok");
    expect(await codeOf(requireDevboxRole(write, "t1", "alpha", "developer", { scope: "devboxes:ssh" }))).toMatch(/lacks the devboxes:ssh scope/);
    expect(await codeOf(requireDevboxRole(ssh, "t1", "alpha", "developer", { scope: "devboxes:ssh" }))).toBe("ok");
    expect(await codeOf(requireDevboxRole(ssh, "t1", "alpha", "viewer"))).toMatch(/lacks the devboxes:read scope/);
    // The user is a developer: even an admin-scoped token cannot administer the team.
    const admin = await authenticateToken(db, (await createToken(db, u, { name: "a", scopes: ["admin"] })).token);
    expect(await codeOf(requireDevboxRole(admin, "t1", "alpha", "developer"))).toBe("ok");
    expect(await codeOf(requireTeamRole(admin, "t1", "admin"))).toMatch(/^forbidden: This needs the admin role/);
    expect(await codeOf(() => requireInstanceAdmin(admin))).toMatch(/^forbidden: Only instance administrators/);
    expect(await codeOf(() => requireInstanceAdmin(write))).toMatch(/lacks the admin scope/);
    // A viewer's write- or ssh-scoped token is still a viewer.
    const vw = { ...viewer, passwordHash: null, sessionVersion: 0, createdAt: new Date() };
    const vwToken = await authenticateToken(db, (await createToken(db, vw, { name: "v", scopes: ["devboxes:write", "devboxes:ssh"] })).token);
    expect(await codeOf(requireDevboxRole(vwToken, "t1", "alpha", "viewer"))).toBe("ok");
    expect(await codeOf(requireDevboxRole(vwToken, "t1", "alpha", "developer", { scope: "devboxes:ssh" }))).toMatch(/^forbidden: This needs the developer role/);
  });

  it("enforces team and devbox restrictions as not found", async () => {
    const u = { ...dev, passwordHash: null, sessionVersion: 0, createdAt: new Date() };
    const teamTok = await authenticateToken(db, (await createToken(db, u, { name: "t", scopes: ["devboxes:write"], team: "t1" })).token);
    expect(await codeOf(requireDevboxRole(teamTok, "t1", "beta", "developer"))).toBe("ok");
    expect(await codeOf(requireDevboxRole(teamTok, "t2", "gamma", "developer"))).toBe("not_found: Team not found");
    const boxTok = await authenticateToken(db, (await createToken(db, u, { name: "b", scopes: ["devboxes:write"], team: "t1", devboxes: ["alpha"] })).token);
    expect(await codeOf(requireDevboxRole(boxTok, "t1", "alpha", "developer"))).toBe("ok");
    expect(await codeOf(requireDevboxRole(boxTok, "t1", "beta", "viewer"))).toBe("not_found: Devbox not found");
    expect(await codeOf(requireTeamRole(boxTok, "t1", "viewer"))).toBe("ok"); // may list
    expect(await codeOf(requireTeamRole(boxTok, "t1", "developer"))).toMatch(/restricted to named devboxes/); // may not create
    expect(await codeOf(createToken(db, u, { name: "x", scopes: ["devboxes:read"], team: "nope" }))).toBe("not_found: Team not found");
  });

  it("an open connection made with a token is told of the token's revocation within one re-check; the others keep theirs", async () => {
    const u = { ...dev, passwordHash: null, sessionVersion: 0, createdAt: new Date() };
    const kept = await createToken(db, u, { name: "kept", scopes: ["devboxes:write"] });
    const gone = await createToken(db, u, { name: "gone", scopes: ["devboxes:write"] });
    const watcher = new AccessWatcher(async () => db, 100);
    const revoked: Record<string, string> = {};
    const watch = (name: string, tokenId?: string) =>
      watcher.watch({ userId: "dev", sessionVersion: 0, teamId: "t1", minRole: "developer", tokenId }, (r) => (revoked[name] = r));
    watch("cookie");
    watch("kept", kept.view.id);
    watch("gone", gone.view.id);
    await watcher.checkNow();
    expect(revoked).toEqual({}); // every allowed connection stays

    await revokeToken(db, "dev", gone.view.id);
    await watcher.checkNow();
    expect(revoked).toEqual({ gone: "The API token was revoked or expired." });

    await db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, kept.view.id));
    await watcher.checkNow();
    expect(Object.keys(revoked).sort()).toEqual(["gone", "kept"]);
    expect(watcher.size).toBe(1); // the cookie connection
  });
});
