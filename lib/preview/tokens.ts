import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Signed values of the preview proxy, keyed by NEXTAUTH_SECRET through a purpose label (so a
 * value signed for one purpose never verifies for another, nor as a session token).
 */
function key(purpose: string): Buffer {
  const secret = process.env.NEXTAUTH_SECRET;
  if (!secret) throw new Error("NEXTAUTH_SECRET is not set");
  // Derived once per secret and purpose: every preview request verifies a cookie with it.
  const memo = `${purpose}\0${secret}`;
  let k = derived.get(memo);
  if (!k) derived.set(memo, (k = createHmac("sha256", secret).update(`devbox-preview:${purpose}`).digest()));
  return k;
}
const derived = new Map<string, Buffer>();

function mac(purpose: string, payload: string): string {
  return createHmac("sha256", key(purpose)).update(payload).digest("base64url");
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
export const randomToken = () => randomBytes(24).toString("base64url");

/** A share link's token: its id and an HMAC of it. The row decides whether it still holds. */
export function signShareLink(id: string): string {
  return `${id}.${mac("share", id)}`;
}

export function verifyShareLink(token: string | undefined | null): string | null {
  if (!token) return null;
  const dot = token.lastIndexOf(".");
  if (dot < 1) return null;
  const id = token.slice(0, dot);
  if (!/^[0-9a-f-]{36}$/.test(id)) return null;
  return equal(token.slice(dot + 1), mac("share", id)) ? id : null;
}

/**
 * The apps host's own session: bound to that host, the user's session version, the dashboard
 * session it was handed off from (its sign-out ends this too; null for a dashboard session from
 * before session ids), and an expiry.
 */
export interface AppsSession {
  userId: string;
  host: string;
  sessionVersion: number;
  sessionId: string | null;
  expiresAt: number;
}

export const APPS_SESSION_TTL_MS = 12 * 3600_000;

export function signAppsSession(s: AppsSession): string {
  const payload = Buffer.from(JSON.stringify([s.userId, s.host, s.sessionVersion, s.expiresAt, s.sessionId])).toString("base64url");
  return `${payload}.${mac("apps-session", payload)}`;
}

export function verifyAppsSession(value: string | undefined, host: string, now = Date.now()): AppsSession | null {
  if (!value) return null;
  const dot = value.indexOf(".");
  if (dot < 1 || !equal(value.slice(dot + 1), mac("apps-session", value.slice(0, dot)))) return null;
  try {
    const fields = JSON.parse(Buffer.from(value.slice(0, dot), "base64url").toString("utf8"));
    // Five fields: a cookie from before session ids is no session (the browser is handed off again, unseen).
    if (!Array.isArray(fields) || fields.length !== 5) return null;
    const [userId, h, sessionVersion, expiresAt, sessionId] = fields;
    if (h !== host || typeof userId !== "string" || typeof sessionVersion !== "number" || !(expiresAt > now)) return null;
    if (sessionId !== null && typeof sessionId !== "string") return null;
    return { userId, host: h, sessionVersion, sessionId, expiresAt };
  } catch {
    return null;
  }
}
