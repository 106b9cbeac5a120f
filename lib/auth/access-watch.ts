import { inArray } from "drizzle-orm";
import { getDb, type Database } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import { memberships, type TeamRole } from "@/db/schema/memberships";
import { revokedSessions } from "@/db/schema/revoked-sessions";
import { users } from "@/db/schema/users";
import { roleAtLeast } from "@/lib/teams/roles";

/**
 * Revocation for long-lived connections (terminal websockets, event streams), which authorize
 * once at their start. Each registers what it relies on: the user, the session version and id its
 * cookie carried, the team, the minimum role and the API token if one was used. Every RECHECK_MS one query re-reads all of
 * them at once (not one per connection or per message), and a connection whose user signed out
 * (that session, or everywhere), was deleted, left the team or lost the role is told why and closed. Works across
 * replicas: the DB is what changes, each replica re-reads it.
 */
export const RECHECK_MS = Math.max(200, Number(process.env.DEVBOX_ACCESS_RECHECK_MS ?? 3000));

export interface AccessGrant {
  userId: string;
  /** The session version the connection was authorized with (== users.session_version then). */
  sessionVersion: number;
  teamId: string;
  minRole: TeamRole;
  /** The API token the connection was authorized with, if any: its revocation or expiry ends it too. */
  tokenId?: string;
  /** The session (cookie) the connection was authorized with, if any: its sign-out ends it too. */
  sessionId?: string | null;
}

export type RevokedReason = string;

export interface AccessWatch {
  stop(): void;
  update(g: Partial<AccessGrant>): void;
}

interface Watch {
  grant: AccessGrant;
  onRevoked: (reason: RevokedReason) => void;
}

/** Why a grant no longer holds, or null while it does. Pure: the unit-tested decision. */
export function revocationReason(
  grant: AccessGrant,
  user: { sessionVersion: number } | undefined,
  role: TeamRole | undefined,
  token?: { revokedAt: Date | null; expiresAt: Date },
  now = Date.now(),
  sessionSignedOut = false,
): RevokedReason | null {
  if (!user) return "Your account was deleted.";
  if (sessionSignedOut) return "This session was signed out: sign in again.";
  if (grant.tokenId && (!token || token.revokedAt || token.expiresAt.getTime() <= now)) return "The API token was revoked or expired.";
  if (user.sessionVersion !== grant.sessionVersion) return "You were signed out everywhere: sign in again.";
  if (!role) return "You are no longer a member of this team.";
  if (!roleAtLeast(role, grant.minRole)) return `Your role in this team changed: this needs ${grant.minRole} or higher.`;
  return null;
}

export class AccessWatcher {
  private watches = new Set<Watch>();
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(
    private readonly db: () => Promise<Database>,
    private readonly intervalMs = RECHECK_MS,
  ) {}

  /** Watches a grant until the returned function is called (or it is revoked, once). */
  watch(grant: AccessGrant, onRevoked: (reason: RevokedReason) => void): AccessWatch {
    const w: Watch = { grant: { ...grant }, onRevoked };
    this.watches.add(w);
    this.timer ??= setInterval(() => void this.checkNow(), this.intervalMs);
    this.timer.unref();
    return {
      stop: () => this.drop(w),
      update: (g) => Object.assign(w.grant, g),
    };
  }

  get size(): number {
    return this.watches.size;
  }

  /**
   * One batched re-read of every watched grant. A re-check already in flight may have read the DB
   * before the caller's change: the caller then gets one more run after it (shared by every caller
   * that came meanwhile), never a no-op.
   */
  checkNow(): Promise<void> {
    if (this.current) {
      this.queued ??= this.current.then(() => {
        this.queued = null;
        return this.checkNow();
      });
      return this.queued;
    }
    this.current = this.recheck().finally(() => {
      this.current = null;
    });
    return this.current;
  }

  private async recheck(): Promise<void> {
    if (this.watches.size === 0) return;
    try {
      const list = [...this.watches];
      const userIds = [...new Set(list.map((w) => w.grant.userId))];
      const db = await this.db();
      const tokenIds = [...new Set(list.flatMap((w) => (w.grant.tokenId ? [w.grant.tokenId] : [])))];
      const sessionIds = [...new Set(list.flatMap((w) => (w.grant.sessionId ? [w.grant.sessionId] : [])))];
      const [userRows, memberRows, tokenRows, signedOutRows] = await Promise.all([
        db.select({ id: users.id, sessionVersion: users.sessionVersion }).from(users).where(inArray(users.id, userIds)),
        db.select({ userId: memberships.userId, teamId: memberships.teamId, role: memberships.role }).from(memberships).where(inArray(memberships.userId, userIds)),
        tokenIds.length
          ? db.select({ id: apiTokens.id, revokedAt: apiTokens.revokedAt, expiresAt: apiTokens.expiresAt }).from(apiTokens).where(inArray(apiTokens.id, tokenIds))
          : [],
        sessionIds.length ? db.select({ id: revokedSessions.sessionId }).from(revokedSessions).where(inArray(revokedSessions.sessionId, sessionIds)) : [],
      ]);
      const signedOut = new Set(signedOutRows.map((r) => r.id));
      const byUser = new Map(userRows.map((u) => [u.id, u]));
      const roles = new Map(memberRows.map((m) => [`${m.userId}\0${m.teamId}`, m.role]));
      const tokens = new Map(tokenRows.map((t) => [t.id, t]));
      for (const w of list) {
        if (!this.watches.has(w)) continue;
        const token = w.grant.tokenId ? tokens.get(w.grant.tokenId) : undefined;
        const reason = revocationReason(
          w.grant,
          byUser.get(w.grant.userId),
          roles.get(`${w.grant.userId}\0${w.grant.teamId}`),
          token,
          Date.now(),
          !!w.grant.sessionId && signedOut.has(w.grant.sessionId),
        );
        if (reason) {
          this.drop(w);
          try {
            w.onRevoked(reason);
          } catch (err) {
            console.error("[devbox] access watch: closing a revoked connection failed", err);
          }
        }
      }
    } catch (err) {
      // The DB is unreachable: keep the connections (they are re-checked next round).
      console.error("[devbox] access watch: re-check failed", err instanceof Error ? err.message : err);
    }
  }

  private drop(w: Watch): void {
    this.watches.delete(w);
    if (this.watches.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}

// One per process, on globalThis like the other singletons (server.ts and the Next bundles load
// separate copies of this module).
const globalKey = Symbol.for("devbox.accessWatcher");
type G = typeof globalThis & { [globalKey]?: AccessWatcher };

export function accessWatcher(): AccessWatcher {
  const g = globalThis as G;
  g[globalKey] ??= new AccessWatcher(getDb);
  return g[globalKey];
}
