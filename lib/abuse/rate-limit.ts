import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { rateLimits } from "@/db/schema/rate-limits";
import { AppError } from "@/lib/errors";

export interface Limit {
  /** Names the counter, e.g. "signin:account". */
  name: string;
  max: number;
  windowSeconds: number;
}

export interface LimitState {
  allowed: boolean;
  count: number;
  /** Seconds until the window ends (0 when allowed). */
  retryAfterSeconds: number;
}

/**
 * Counts one attempt against `limit` for `subject` and says whether it is within the limit.
 * A fixed window kept in the DB by one atomic upsert, so parallel attempts and several dashboard
 * replicas count together.
 */
export async function hitLimit(db: Pick<Database, "insert" | "delete">, limit: Limit, subject: string, now = new Date()): Promise<LimitState> {
  const key = `${limit.name}:${subject}`;
  const windowEnd = sql`rate_limits.window_start + make_interval(secs => ${limit.windowSeconds})`;
  const expired = sql`${windowEnd} <= ${now.toISOString()}::timestamptz`;
  const [row] = await db
    .insert(rateLimits)
    .values({ key, windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        windowStart: sql`case when ${expired} then ${now.toISOString()}::timestamptz else rate_limits.window_start end`,
        count: sql`case when ${expired} then 1 else rate_limits.count + 1 end`,
      },
    })
    .returning({ windowStart: rateLimits.windowStart, count: rateLimits.count });
  // Now and then, drop windows long over (a spray of made-up emails leaves one row each).
  if (Math.random() < 0.01)
    await db.delete(rateLimits).where(sql`rate_limits.window_start < ${new Date(now.getTime() - 86_400_000).toISOString()}::timestamptz`).catch(() => {});
  const allowed = row.count <= limit.max;
  const ends = row.windowStart.getTime() + limit.windowSeconds * 1000;
  return { allowed, count: row.count, retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((ends - now.getTime()) / 1000)) };
}

/** Takes back one counted attempt (one that turned out fine, e.g. a correct password). */
export async function refundLimit(db: Pick<Database, "update">, limit: Limit, subject: string): Promise<void> {
  await db
    .update(rateLimits)
    .set({ count: sql`greatest(rate_limits.count - 1, 0)` })
    .where(eq(rateLimits.key, `${limit.name}:${subject}`));
}

/** Counts the attempt against every (limit, subject) and throws rate_limited if any is exceeded. */
export async function enforceLimits(db: Pick<Database, "insert" | "delete">, checks: [Limit, string][], message: (retryAfter: number) => string, now = new Date()): Promise<void> {
  let retryAfter = 0;
  for (const [limit, subject] of checks) {
    const state = await hitLimit(db, limit, subject, now);
    if (!state.allowed) retryAfter = Math.max(retryAfter, state.retryAfterSeconds);
  }
  if (retryAfter > 0) throw new AppError("rate_limited", message(retryAfter), { retryAfterSeconds: retryAfter });
}

const envInt = (name: string, dflt: number) => {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : dflt;
};

/** Sign-in with a password: per account (against guessing one password) and per client address. */
export const signInLimits = () => {
  const windowSeconds = envInt("DEVBOX_SIGNIN_WINDOW_SECONDS", 60);
  return {
    account: { name: "signin:account", max: envInt("DEVBOX_SIGNIN_LIMIT_PER_ACCOUNT", 10), windowSeconds },
    ip: { name: "signin:ip", max: envInt("DEVBOX_SIGNIN_LIMIT_PER_IP", 60), windowSeconds },
  };
};

/** Sign-up: per client address, and per email (repeated attempts at one address). */
export const signUpLimits = () => ({
  ip: { name: "signup:ip", max: envInt("DEVBOX_SIGNUP_LIMIT_PER_IP", 20), windowSeconds: 3600 },
  account: { name: "signup:account", max: 5, windowSeconds: 3600 },
});

/** Sharing: share links and invite links a user may create per hour (each a new way in). */
export const sharingLimits = () => ({
  shareLinks: { name: "share:links", max: envInt("DEVBOX_SHARE_LINK_LIMIT_PER_HOUR", 100), windowSeconds: 3600 },
  invites: { name: "share:invites", max: envInt("DEVBOX_INVITE_LIMIT_PER_HOUR", 50), windowSeconds: 3600 },
});

/**
 * Preview sign-in hand-offs (app/preview-auth/route.ts): each writes a one-time code and an audit
 * row and answers whether a devbox port exists, so per user and per client address.
 */
export const previewHandoffLimits = () => {
  const windowSeconds = envInt("DEVBOX_PREVIEW_AUTH_WINDOW_SECONDS", 60);
  return {
    user: { name: "preview-auth:user", max: envInt("DEVBOX_PREVIEW_AUTH_LIMIT_PER_USER", 60), windowSeconds },
    ip: { name: "preview-auth:ip", max: envInt("DEVBOX_PREVIEW_AUTH_LIMIT_PER_IP", 300), windowSeconds },
  };
};

export const waitText = (seconds: number) =>
  seconds < 90 ? `${seconds} second${seconds === 1 ? "" : "s"}` : `${Math.ceil(seconds / 60)} minutes`;
