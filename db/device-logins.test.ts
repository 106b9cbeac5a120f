import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "./client";
import { apiTokens } from "./schema/api-tokens";
import { deviceLogins } from "./schema/device-logins";
import { users, type User } from "./schema/users";
import { testBackends } from "./test-backends";
import { decideDeviceLogin, findPendingDeviceLogin, normalizeUserCode, redeemDeviceLogin, startDeviceLogin } from "@/lib/device-login/service";
import { AppError } from "@/lib/errors";
import { authenticateToken } from "@/lib/tokens/service";

const outcome = async (p: Promise<unknown>) => {
  try {
    const v = await p;
    return typeof v === "string" ? v : "token";
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
};

describe.each(testBackends())("device login (devbox login) on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;
  let alice: User;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    [alice] = await db.insert(users).values({ id: "alice", email: "alice@example.com", name: "Alice" }).returning();
  });
  afterAll(async () => close?.());

  it("pending until approved, then one token for the approver, once — even for two polls at the same time", async () => {
    const s = await startDeviceLogin(db, "devbox CLI on test");
    expect(s.userCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(await redeemDeviceLogin(db, s.deviceCode)).toBe("pending");
    // The user types it as they like.
    expect((await findPendingDeviceLogin(db, s.userCode.toLowerCase().replace("-", " ")))?.clientName).toBe("devbox CLI on test");
    await decideDeviceLogin(db, alice, s.userCode, "approved");
    const polls = await Promise.all([outcome(redeemDeviceLogin(db, s.deviceCode)), outcome(redeemDeviceLogin(db, s.deviceCode))]);
    expect(polls.sort()).toEqual(["not_found", "token"]);
    const tokens = await db.select().from(apiTokens).where(eq(apiTokens.userId, alice.id));
    expect(tokens).toHaveLength(1);
    expect(tokens[0].scopes.sort()).toEqual(["devboxes:read", "devboxes:ssh", "devboxes:write"]);
    // Only the hash of the device code was ever stored.
    const [row] = await db.select().from(deviceLogins).where(eq(deviceLogins.userCode, s.userCode));
    expect(row.deviceCodeHash).not.toContain(s.deviceCode);
    expect(row.status).toBe("redeemed");
    expect(await outcome(redeemDeviceLogin(db, s.deviceCode))).toBe("not_found");
  });

  it("a token that cannot be made leaves the request approved: the next poll gets it (no redeemed request without a token)", async () => {
    const s = await startDeviceLogin(db, "cli");
    await decideDeviceLogin(db, alice, s.userCode, "approved");
    // A real failure inside the redeem: the instance allows shorter tokens than a CLI login's.
    process.env.DEVBOX_TOKEN_MAX_DAYS = "1";
    try {
      expect(await outcome(redeemDeviceLogin(db, s.deviceCode))).toBe("bad_request");
    } finally {
      delete process.env.DEVBOX_TOKEN_MAX_DAYS;
    }
    const [row] = await db.select().from(deviceLogins).where(eq(deviceLogins.userCode, s.userCode));
    expect(row.status).toBe("approved");
    expect(await outcome(redeemDeviceLogin(db, s.deviceCode))).toBe("token");
  });

  it("the token works and belongs to the approver", async () => {
    const s = await startDeviceLogin(db, "cli");
    await decideDeviceLogin(db, alice, s.userCode, "approved");
    const r = await redeemDeviceLogin(db, s.deviceCode);
    expect(r).toMatchObject({ email: "alice@example.com" });
    const user = await authenticateToken(db, (r as { token: string }).token);
    expect(user.id).toBe(alice.id);
  });

  it("refused: the CLI is told (forbidden) and gets nothing; a decided code cannot be decided again", async () => {
    const s = await startDeviceLogin(db, "cli");
    await decideDeviceLogin(db, alice, s.userCode, "denied");
    expect(await outcome(redeemDeviceLogin(db, s.deviceCode))).toBe("forbidden");
    expect(await outcome(decideDeviceLogin(db, alice, s.userCode, "approved"))).toBe("not_found");
  });

  it("expired or unknown: not found", async () => {
    const s = await startDeviceLogin(db, "cli");
    await db.update(deviceLogins).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(deviceLogins.userCode, s.userCode));
    expect(await outcome(decideDeviceLogin(db, alice, s.userCode, "approved"))).toBe("not_found");
    expect(await outcome(redeemDeviceLogin(db, s.deviceCode))).toBe("not_found");
    expect(await outcome(redeemDeviceLogin(db, "no-such-code"))).toBe("not_found");
    expect(normalizeUserCode("abcd efgh")).toBe("ABCD-EFGH");
  });
});
