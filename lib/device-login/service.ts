import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, lt } from "drizzle-orm";
import type { Database } from "@/db/client";
import { deviceLogins, type DeviceLogin } from "@/db/schema/device-logins";
import { users, type User } from "@/db/schema/users";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { createToken } from "@/lib/tokens/service";
import type { TokenScope } from "@/lib/tokens/scopes";

export const DEVICE_LOGIN_TTL_S = 600;
export const DEVICE_LOGIN_POLL_S = 2;
/** What a CLI login may do: the devbox work of its user, not team or instance administration. */
export const CLI_TOKEN_SCOPES: TokenScope[] = ["devboxes:read", "devboxes:write", "devboxes:ssh"];

/** Starts per client address: DEVBOX_DEVICE_LOGIN_LIMIT_PER_IP a minute (default 20). */
export const deviceLoginLimit = () => ({ name: "device-login:ip", max: Math.max(1, Number(process.env.DEVBOX_DEVICE_LOGIN_LIMIT_PER_IP) || 20), windowSeconds: 60 });

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
// No 0/O, 1/I/L: the user compares it by eye.
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

function newUserCode(): string {
  const b = randomBytes(8);
  const c = Array.from(b, (x) => ALPHABET[x % ALPHABET.length]).join("");
  return `${c.slice(0, 4)}-${c.slice(4)}`;
}

/** "abcd efgh" or "ABCDEFGH" as typed → "ABCD-EFGH". */
export function normalizeUserCode(raw: string): string {
  const c = raw.toUpperCase().replace(/[^A-Z0-9]/g, "");
  return c.length === 8 ? `${c.slice(0, 4)}-${c.slice(4)}` : raw.trim().toUpperCase();
}

const gone = () => new AppError("not_found", "Login request not found: it expired or was already used. Run devbox login again.");

export async function startDeviceLogin(db: Database, clientName: string): Promise<{ deviceCode: string; userCode: string; expiresIn: number; interval: number }> {
  // Expired requests are dropped as new ones come: the table stays minutes deep.
  await db.delete(deviceLogins).where(lt(deviceLogins.expiresAt, new Date()));
  const deviceCode = randomBytes(32).toString("base64url");
  const userCode = newUserCode();
  await db.insert(deviceLogins).values({
    id: newId(),
    deviceCodeHash: sha256(deviceCode),
    userCode,
    clientName: clientName.trim().slice(0, 100) || "devbox CLI",
    expiresAt: new Date(Date.now() + DEVICE_LOGIN_TTL_S * 1000),
  });
  return { deviceCode, userCode, expiresIn: DEVICE_LOGIN_TTL_S, interval: DEVICE_LOGIN_POLL_S };
}

/** A request still waiting for approval, by the code the user sees. */
export async function findPendingDeviceLogin(db: Database, userCode: string): Promise<DeviceLogin | undefined> {
  const [row] = await db
    .select()
    .from(deviceLogins)
    .where(and(eq(deviceLogins.userCode, normalizeUserCode(userCode)), eq(deviceLogins.status, "pending"), gt(deviceLogins.expiresAt, new Date())))
    .limit(1);
  return row;
}

/** Approve or deny: one conditional UPDATE, so only a pending, unexpired request moves, once. */
export async function decideDeviceLogin(db: Database, user: User, userCode: string, decision: "approved" | "denied"): Promise<void> {
  const [row] = await db
    .update(deviceLogins)
    .set({ status: decision, userId: user.id })
    .where(and(eq(deviceLogins.userCode, normalizeUserCode(userCode)), eq(deviceLogins.status, "pending"), gt(deviceLogins.expiresAt, new Date())))
    .returning();
  if (!row) throw gone();
  await recordAudit(db, { actorId: user.id, action: decision === "approved" ? "device_login.approve" : "device_login.deny", target: row.clientName });
}

/**
 * The CLI's poll: pending → "pending"; denied → forbidden; approved → the request is marked
 * redeemed (one conditional UPDATE: of two polls, one claims it and mints the token) and an API
 * token is created for the user in the same transaction.
 */
export async function redeemDeviceLogin(db: Database, deviceCode: string): Promise<"pending" | { token: string; email: string }> {
  const hash = sha256(deviceCode);
  const [row] = await db.select().from(deviceLogins).where(eq(deviceLogins.deviceCodeHash, hash)).limit(1);
  if (!row || row.expiresAt <= new Date() || row.status === "redeemed") throw gone();
  if (row.status === "pending") return "pending";
  if (row.status === "denied") throw new AppError("forbidden", "The login was refused in the dashboard.");
  // The claim and the token are one transaction: a failure between them leaves the request
  // approved (the next poll gets the token), never redeemed without one.
  return db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(deviceLogins)
      .set({ status: "redeemed" })
      .where(and(eq(deviceLogins.id, row.id), eq(deviceLogins.status, "approved")))
      .returning();
    if (!claimed?.userId) throw gone();
    const [user] = await tx.select().from(users).where(eq(users.id, claimed.userId)).limit(1);
    if (!user) throw gone();
    const { token } = await createToken(tx, user, { name: claimed.clientName.slice(0, 80), scopes: CLI_TOKEN_SCOPES });
    return { token, email: user.email };
  });
}
