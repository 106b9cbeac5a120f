import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { ACTIVITY_FLUSH_MS } from "./clock";
import type { ActivityKind } from "./deadline";

/** Output this soon after a person's action is attributed to that action. */
const ECHO_MS = 5_000;

interface Pending {
  at: number;
  kind: ActivityKind;
  by: string | null;
}

export type ActivityWriter = (devboxId: string, a: Pending) => Promise<void>;

/**
 * Activity per devbox, coalesced in memory: the first event after a quiet period is written at
 * once (so a deadline moves promptly), later ones at most once per flushMs. Recording is a Map
 * lookup, cheap enough for every terminal output chunk. Within one window a person's action
 * (input) is the reason kept over terminal output, so "why it moved" names what someone did.
 */
export class ActivityCoalescer {
  private readonly pending = new Map<string, Pending>();
  private readonly lastWrite = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastPerson = new Map<string, Pending>();

  constructor(
    private readonly write: ActivityWriter,
    private readonly flushMs = ACTIVITY_FLUSH_MS,
    private readonly now: () => number = Date.now,
  ) {}

  record(devboxId: string, kind: ActivityKind, by: string | null): void {
    const at = this.now();
    const p = this.pending.get(devboxId);
    const person = this.lastPerson.get(devboxId);
    if (kind !== "terminal-output") this.lastPerson.set(devboxId, { at, kind, by });
    if (p && kind === "terminal-output" && p.kind !== "terminal-output") p.at = at;
    // Output right after someone typed is its echo or its result: still "terminal input by ana".
    else if (kind === "terminal-output" && person && at - person.at <= Math.max(2 * this.flushMs, ECHO_MS)) this.pending.set(devboxId, { at, kind: person.kind, by: person.by });
    else this.pending.set(devboxId, { at, kind, by: by ?? p?.by ?? null });
    if (this.timers.has(devboxId)) return;
    const wait = Math.max(0, (this.lastWrite.get(devboxId) ?? -Infinity) + this.flushMs - at);
    const t = setTimeout(() => void this.flush(devboxId), wait);
    t.unref();
    this.timers.set(devboxId, t);
  }

  /** Writes what is pending for one devbox (or all): also on shutdown. */
  async flush(devboxId?: string): Promise<void> {
    const ids = devboxId ? [devboxId] : [...this.pending.keys()];
    await Promise.all(
      ids.map(async (id) => {
        const t = this.timers.get(id);
        if (t) clearTimeout(t);
        this.timers.delete(id);
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        this.lastWrite.set(id, this.now());
        const person = this.lastPerson.get(id);
        if (person && this.now() - person.at > ECHO_MS + 2 * this.flushMs) this.lastPerson.delete(id);
        await this.write(id, p).catch((err) => console.error("[devbox] idle: writing activity failed:", err instanceof Error ? err.message : err));
      }),
    );
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}

/**
 * One upsert that only moves the last activity forward (an older write arriving late from
 * another replica never moves it back). A deleted devbox writes nothing (no row to join).
 */
export async function writeActivity(db: Database, devboxId: string, a: Pending): Promise<void> {
  const at = new Date(a.at).toISOString();
  await db.execute(sql`
    INSERT INTO devbox_idle (devbox_id, last_activity_at, last_activity_kind, last_activity_by, updated_at)
    SELECT id, ${at}::timestamptz, ${a.kind}, ${a.by}, now() FROM devboxes WHERE id = ${devboxId}
    ON CONFLICT (devbox_id) DO UPDATE SET
      last_activity_at = excluded.last_activity_at,
      last_activity_kind = excluded.last_activity_kind,
      last_activity_by = excluded.last_activity_by,
      updated_at = now()
    WHERE devbox_idle.last_activity_at IS NULL OR devbox_idle.last_activity_at < excluded.last_activity_at`);
}

const globalKey = Symbol.for("devbox.idleActivity");
type G = typeof globalThis & { [globalKey]?: ActivityCoalescer };

/** The process's coalescer (on globalThis: server.ts and the Next bundles load separate copies). */
export function activityRecorder(): ActivityCoalescer {
  const g = globalThis as G;
  if (!g[globalKey]) {
    g[globalKey] = new ActivityCoalescer(async (id, a) => {
      const { getDb } = await import("@/db/client");
      await writeActivity(await getDb(), id, a);
    });
  }
  return g[globalKey];
}

/** Records activity on a devbox: terminal bytes, SSH bytes, preview requests, exec. */
export function recordActivity(devboxId: string, kind: ActivityKind, by: string | null): void {
  activityRecorder().record(devboxId, kind, by);
}
