import { getDb } from "@/db/client";
import { onDevboxChange } from "@/lib/devboxes/change-bus";
import { podName } from "@/lib/devboxes/k8s-objects";
import { findDevboxById } from "@/lib/devboxes/queries";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { CloseCode } from "./protocol";
import type { TerminalSession } from "./session";

/**
 * The open terminal sessions of this process, by (user, devbox, client session id). Lives on
 * globalThis like the other process singletons (server.ts and the Next bundles load separate
 * module copies). Watches devbox changes and ends the sessions of a devbox that is stopped,
 * deleted or whose Pod was replaced, with a message that says which.
 */
export class TerminalRegistry {
  private sessions = new Map<string, TerminalSession>();
  private opening = new Map<string, Promise<TerminalSession>>();
  private unsubscribe: (() => void) | null = null;

  static key(userId: string, devboxId: string, sessionId: string): string {
    return `${userId}\0${devboxId}\0${sessionId}`;
  }

  get(key: string): TerminalSession | undefined {
    const s = this.sessions.get(key);
    return s && !s.isEnded ? s : undefined;
  }

  countForUser(userId: string): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.owner.userId === userId) n++;
    return n + [...this.opening.keys()].filter((k) => k.startsWith(`${userId}\0`)).length;
  }

  /** One session per key even when two connections race to create it (a reload, two tabs). */
  async getOrOpen(key: string, open: () => Promise<TerminalSession>): Promise<{ session: TerminalSession; resumed: boolean }> {
    const existing = this.get(key);
    if (existing) return { session: existing, resumed: true };
    const pending = this.opening.get(key);
    if (pending) return { session: await pending, resumed: true };
    const p = open();
    this.opening.set(key, p);
    try {
      const session = await p;
      this.sessions.set(key, session);
      this.watch();
      return { session, resumed: false };
    } finally {
      this.opening.delete(key);
    }
  }

  remove(session: TerminalSession): void {
    if (this.sessions.get(session.key) === session) this.sessions.delete(session.key);
  }

  all(): TerminalSession[] {
    return [...this.sessions.values()];
  }

  sessionsOf(devboxId: string): TerminalSession[] {
    return [...this.sessions.values()].filter((s) => s.owner.devbox.id === devboxId);
  }

  /** Ends every session (server shutdown). */
  closeAll(code: number = CloseCode.GoingAway, reason = "The dashboard is shutting down."): void {
    for (const s of [...this.sessions.values()]) s.end(code, reason);
  }

  private watch(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = onDevboxChange((id) => void this.check(id));
  }

  /** Ends a devbox's sessions when it no longer runs the Pod they exec into. */
  async check(devboxId: string): Promise<void> {
    const open = this.sessionsOf(devboxId);
    if (open.length === 0) return;
    let d;
    try {
      d = await findDevboxById(await getDb(), devboxId);
    } catch (err) {
      console.error("[devbox] terminal: could not re-read devbox", devboxId, err);
      return;
    }
    for (const s of open) {
      const pod = devboxPodCache().podsOf(devboxId).find((p) => p.metadata?.name === s.owner.pod);
      let reason: string | null = null;
      if (!d || d.desiredState === "deleted") reason = "The devbox was deleted.";
      else if (d.desiredState === "stopped") reason = "The devbox was stopped.";
      else if (podName(d) !== s.owner.pod) reason = "The devbox was restarted.";
      else if (!pod || pod.metadata?.deletionTimestamp) reason = "The devbox's container went away.";
      if (reason) s.end(CloseCode.DevboxGone, reason);
    }
  }
}

const globalKey = Symbol.for("devbox.terminalRegistry");
type GlobalWithRegistry = typeof globalThis & { [globalKey]?: TerminalRegistry };

export function terminalRegistry(): TerminalRegistry {
  const g = globalThis as GlobalWithRegistry;
  g[globalKey] ??= new TerminalRegistry();
  return g[globalKey];
}
