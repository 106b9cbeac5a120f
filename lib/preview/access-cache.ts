import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { accessFacts, type AccessFacts } from "./access-query";
import type { PreviewTarget } from "./host";

/**
 * The preview proxy's authorization facts (lib/preview/access-query.ts), kept between requests:
 * reading them costs a DB statement per request, most of the proxy's added latency. They are
 * valid only for the version of `preview_access_version` they were read at, which DB triggers
 * move at the commit of any change to what they hold (a level, a link, a member, a session
 * version or sign-out, a devbox's row, a maximum: migrations 0009_preview_access_triggers and
 * 0012_revoked_sessions_trigger), whichever code
 * path or replica made it. So a change takes effect on the next request everywhere:
 *
 * - PostgreSQL (one or more replicas): each lookup reads the version row first (one primary-key
 *   read) and drops everything held when it moved. Facts are read after the version, so they
 *   are never older than the version they are filed under.
 * - PGlite (embedded: one process is the only writer): the triggers' pg_notify reaches this
 *   process's listener while the writing statement's answer is parsed, before its caller goes
 *   on, so a local generation stands in for the row and a lookup reads nothing.
 *
 * Until the PGlite listener is in place nothing is kept.
 */
export const CHANNEL = "devbox_preview_access";
const MAX_ENTRIES = 10_000;

interface VersionSource {
  /** The current version, or null when nothing may be kept. */
  current(): number | null | Promise<number | null>;
}

export class PreviewAccessCache {
  private entries = new Map<string, AccessFacts | null>();
  /** The version every entry was read at (or after): the map is emptied when it moves. */
  private version = -1;

  constructor(
    private readonly db: Database,
    private readonly source: VersionSource,
  ) {}

  async facts(t: PreviewTarget, userId: string | null, linkId: string | null, sessionId: string | null = null): Promise<AccessFacts | null> {
    const version = await this.source.current();
    if (version === null) return accessFacts(this.db, t, userId, linkId, sessionId);
    if (version > this.version) {
      this.entries.clear();
      this.version = version;
    }
    const key = keyOf(t, userId, linkId, sessionId);
    if (version === this.version && this.entries.has(key)) return this.entries.get(key)!;
    const facts = await accessFacts(this.db, t, userId, linkId, sessionId);
    // Filed only if no change was seen meanwhile: facts read after the version are never older
    // than it, but a lookup that started before a newer version files nothing.
    if (version === this.version) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, facts);
    }
    return facts;
  }

  get size(): number {
    return this.entries.size;
  }
}

function keyOf(t: PreviewTarget, userId: string | null, linkId: string | null, sessionId: string | null): string {
  const at = t.kind === "id" ? `i\0${t.devboxId}` : `n\0${t.team}\0${t.devbox}`;
  return `${at}\0${t.port}\0${userId ?? ""}\0${linkId ?? ""}\0${sessionId ?? ""}`;
}

type Row = { version: string | number };

/** PostgreSQL: the version row, read on every lookup (its absence keeps nothing). */
function rowSource(db: Database): VersionSource {
  return {
    async current() {
      const res = (await db.execute(sql`select version from preview_access_version where id = 1`)) as unknown as Row[] | { rows: Row[] };
      const v = (Array.isArray(res) ? res : res.rows)[0]?.version;
      return v === undefined ? null : Number(v);
    },
  };
}

interface PGliteLike {
  listen(channel: string, cb: (payload: string) => void): Promise<unknown>;
}

/** PGlite: a generation moved by the triggers' notifications, read without a statement. */
function notifySource(client: PGliteLike): VersionSource {
  let generation = 0;
  let listening = false;
  client.listen(CHANNEL, () => void generation++).then(
    () => (listening = true),
    (err) => console.error("[devbox] preview access cache: LISTEN failed, not caching", err instanceof Error ? err.message : err),
  );
  return { current: () => (listening ? generation : null) };
}

function sourceFor(db: Database): VersionSource {
  const client = (db as unknown as { $client?: unknown }).$client;
  // postgres-js's client is a (tagged template) function; PGlite's is an object with listen().
  if (client && typeof client === "object" && typeof (client as PGliteLike).listen === "function") return notifySource(client as PGliteLike);
  return rowSource(db);
}

// One per DB handle and per process, on globalThis: server.ts and the Next bundles (which
// re-check open preview websockets after a change) load separate copies of this module.
const globalKey = Symbol.for("devbox.previewAccessCache");
type G = typeof globalThis & { [globalKey]?: WeakMap<Database, PreviewAccessCache> };

export function previewAccessCache(db: Database): PreviewAccessCache {
  const g = globalThis as G;
  const caches = (g[globalKey] ??= new WeakMap());
  let c = caches.get(db);
  if (!c) caches.set(db, (c = new PreviewAccessCache(db, sourceFor(db))));
  return c;
}
