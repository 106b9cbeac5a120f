import { inArray } from "drizzle-orm";
import { getDb, type Database } from "@/db/client";
import { memberships, type TeamRole } from "@/db/schema/memberships";
import { users } from "@/db/schema/users";
import { roleAtLeast } from "@/lib/teams/roles";

/**
 * Revocation for long-lived connections (terminal websockets, event streams), which authorize
 * once at their start. Each registers what it relies on: the user, the session version its
 * cookie carried, the team and the minimum role. Every RECHECK_MS one query re-reads all of
 * them at once (not one per connection or per message), and a connection whose user signed out
 * everywhere, was deleted, left the team or lost the role is told why and closed. Works across
 * replicas: the DB is what changes, each replica re-reads it.
 */
export const RECHECK_MS = Math.max(200, Number(process.env.DEVBOX_ACCESS_RECHECK_MS ?? 3000));

export interface AccessGrant {
  userId: string;
  /** The session version the connection was authorized with (== users.session_version then). */
  sessionVersion: number;
  teamId: string;
  minRole: TeamRole;
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
): RevokedReason | null {
  if (!user) return "Your account was deleted.";
  if (user.sessionVersion !== grant.sessionVersion) return "You were signed out everywhere: sign in again.";
  if (!role) return "You are no longer a member of this team.";
  if (!roleAtLeast(role, grant.minRole)) return `Your role in this team changed: this needs ${grant.minRole} or higher.`;
  return null;
}

export class AccessWatcher {
  private watches = new Set<Watch>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;

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

  /** One batched re-read of every watched grant. */
  async checkNow(): Promise<void> {
    if (this.running || this.watches.size === 0) return;
    this.running = true;
    try {
      const list = [...this.watches];
      const userIds = [...new Set(list.map((w) => w.grant.userId))];
      const db = await this.db();
      const [userRows, memberRows] = await Promise.all([
        db.select({ id: users.id, sessionVersion: users.sessionVersion }).from(users).where(inArray(users.id, userIds)),
        db.select({ userId: memberships.userId, teamId: memberships.teamId, role: memberships.role }).from(memberships).where(inArray(memberships.userId, userIds)),
      ]);
      const byUser = new Map(userRows.map((u) => [u.id, u]));
      const roles = new Map(memberRows.map((m) => [`${m.userId}\0${m.teamId}`, m.role]));
      for (const w of list) {
        if (!this.watches.has(w)) continue;
        const reason = revocationReason(w.grant, byUser.get(w.grant.userId), roles.get(`${w.grant.userId}\0${w.grant.teamId}`));
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
    } finally {
      this.running = false;
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
