import { announceDevboxChange } from "@/lib/devboxes/change-bus";

/**
 * What the agent is doing for a devbox right now (phase, bytes, since when) or why the last
 * attempt failed; fed by the commit code, read by devboxView. On globalThis because server.ts and
 * the Next.js bundles load separate copies of this module. The failure also lands in the DB
 * (devboxes.last_error) so other replicas and restarts see it.
 */
export interface CommitProgress {
  phase: string;
  bytes: number;
  startedAt: number;
  trigger: string;
  error?: string;
}

const key = Symbol.for("devbox.snapshotProgress");
type G = typeof globalThis & { [key]?: Map<string, CommitProgress> };
const store = () => ((globalThis as G)[key] ??= new Map());

export const commitProgressOf = (devboxId: string): CommitProgress | undefined => store().get(devboxId);

const lastAnnounce = new Map<string, number>();

export function reportCommitProgress(devboxId: string, p: CommitProgress): void {
  store().set(devboxId, p);
  // Progress lines come up to 4/s; pages need ~1/s.
  const now = Date.now();
  if (p.error || p.phase !== "diffing" || now - (lastAnnounce.get(devboxId) ?? 0) > 900) {
    lastAnnounce.set(devboxId, now);
    announceDevboxChange(devboxId);
  }
}

export function clearCommitProgress(devboxId: string): void {
  if (store().delete(devboxId)) announceDevboxChange(devboxId);
  lastAnnounce.delete(devboxId);
}

