import { randomBytes } from "node:crypto";
import { CloseCode } from "./protocol";
import { terminalRegistry, type TerminalRegistry } from "./registry";
import type { GuestMode, TerminalSession } from "./session";

export interface TerminalShare {
  id: string;
  /** The owner's session (registry key): the share lives and dies with it. */
  sessionKey: string;
  sessionId: string;
  ownerId: string;
  guestId: string;
  guestEmail: string;
  mode: GuestMode;
  devboxId: string;
  teamId: string;
  createdAt: Date;
}

/**
 * Live terminals shared with a teammate. Like the sessions they point at, shares live in the
 * dashboard process that holds the session (with several replicas, sticky sessions keep owner
 * and guest on it); they end when the owner revokes them or the session ends. The id is random
 * and only the named guest may use it.
 */
export class TerminalShares {
  private shares = new Map<string, TerminalShare>();

  constructor(private readonly registry: () => TerminalRegistry) {}

  create(session: TerminalSession, v: Omit<TerminalShare, "id" | "sessionKey" | "sessionId" | "createdAt">): TerminalShare {
    // One share per (session, guest): sharing again changes the mode.
    for (const s of this.shares.values()) if (s.sessionKey === session.key && s.guestId === v.guestId) this.revoke(s.id, "The owner changed how this terminal is shared.");
    const share: TerminalShare = { ...v, id: randomBytes(16).toString("hex"), sessionKey: session.key, sessionId: session.id, createdAt: new Date() };
    this.shares.set(share.id, share);
    return share;
  }

  /** The share if its session still runs. */
  get(id: string): { share: TerminalShare; session: TerminalSession } | undefined {
    const share = this.shares.get(id);
    if (!share) return undefined;
    const session = this.registry().get(share.sessionKey);
    if (!session) {
      this.shares.delete(id);
      return undefined;
    }
    return { share, session };
  }

  listForOwner(ownerId: string, devboxId: string): TerminalShare[] {
    return [...this.shares.keys()].map((id) => this.get(id)?.share).filter((s): s is TerminalShare => !!s && s.ownerId === ownerId && s.devboxId === devboxId);
  }

  /** Ends the share and closes its guests' views at once. */
  revoke(id: string, reason = "The owner stopped sharing this terminal."): TerminalShare | undefined {
    const share = this.shares.get(id);
    if (!share) return undefined;
    this.shares.delete(id);
    this.registry().get(share.sessionKey)?.closeGuests(CloseCode.ShareEnded, reason, id);
    return share;
  }
}

const globalKey = Symbol.for("devbox.terminalShares");
type G = typeof globalThis & { [globalKey]?: TerminalShares };

export function terminalShares(): TerminalShares {
  const g = globalThis as G;
  g[globalKey] ??= new TerminalShares(terminalRegistry);
  return g[globalKey];
}
