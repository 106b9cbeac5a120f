import type { Duplex } from "node:stream";
import { getDb } from "@/db/client";
import { RECHECK_MS } from "@/lib/auth/access-watch";
import { authorizePreview, type PreviewCredentials } from "@/lib/authz/preview-access";
import type { PreviewTarget } from "./host";

interface OpenSocket {
  socket: Duplex;
  target: PreviewTarget;
  creds: PreviewCredentials;
  devboxId: string;
}

/**
 * The proxied websockets of this process. A level lowered, a link revoked or expired, a member
 * removed or signed out everywhere: the next re-check (at once in the process that made the
 * change, within RECHECK_MS — the access watch's interval — in the others, which re-read the DB)
 * runs the same authorization as a new request and destroys the sockets it no longer allows.
 * On globalThis: server.ts and the Next bundles (route handlers changing levels) share it.
 */
export class PreviewSockets {
  private open = new Set<OpenSocket>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  add(s: OpenSocket): void {
    this.open.add(s);
    s.socket.once("close", () => this.drop(s));
    this.timer ??= setInterval(() => void this.recheck(), RECHECK_MS);
    this.timer.unref();
  }

  get size(): number {
    return this.open.size;
  }

  /** Re-authorizes every open socket (of one devbox when given) and cuts the refused ones. */
  async recheck(devboxId?: string): Promise<void> {
    if (![...this.open].some((s) => !devboxId || s.devboxId === devboxId)) return;
    if (this.running) await this.running;
    const run = (async () => {
      const db = await getDb();
      // One authorization per distinct grant, not per socket: a page's websockets (HMR, the app's
      // own) share their address and credentials, and every round re-reads the DB for each grant.
      const grants = new Map<string, OpenSocket[]>();
      for (const s of this.open) {
        if (devboxId && s.devboxId !== devboxId) continue;
        const key = grantKey(s);
        const group = grants.get(key);
        if (group) group.push(s);
        else grants.set(key, [s]);
      }
      for (const sockets of grants.values()) {
        try {
          const v = await authorizePreview(db, sockets[0].target, sockets[0].creds);
          if (v.decision === "allow") continue;
          for (const s of sockets) {
            this.drop(s);
            s.socket.destroy();
          }
        } catch (err) {
          // DB unreachable: keep the sockets, re-checked next round.
          console.error("[devbox] preview re-check failed:", err instanceof Error ? err.message : err);
        }
      }
    })();
    this.running = run;
    try {
      await run;
    } finally {
      if (this.running === run) this.running = null;
    }
  }

  closeAll(): void {
    for (const s of [...this.open]) s.socket.destroy();
    this.open.clear();
  }

  private drop(s: OpenSocket): void {
    this.open.delete(s);
    if (this.open.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}

/** What decides a socket's authorization: its address and its credentials. */
function grantKey(s: OpenSocket): string {
  return JSON.stringify([s.target, s.creds.session?.userId ?? null, s.creds.session?.sessionVersion ?? null, s.creds.session?.sessionId ?? null, s.creds.linkId]);
}

const globalKey = Symbol.for("devbox.previewSockets");
type G = typeof globalThis & { [globalKey]?: PreviewSockets };

export function previewSockets(): PreviewSockets {
  const g = globalThis as G;
  g[globalKey] ??= new PreviewSockets();
  return g[globalKey];
}
