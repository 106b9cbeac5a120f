import type { Database } from "@/db/client";
import { stopIdleDevbox } from "@/lib/devboxes/service";
import { idleStopMessage, idleVerdict } from "./deadline";
import { loadIdleStates, stillIdle } from "./queries";

export interface IdlePassResult {
  stopped: string[];
}

/**
 * One idle pass, run by the reconciler's leader only (lib/reconciler/controller.ts): every
 * running devbox's deadline is computed from the DB in one query (so a restart or a new leader
 * carries on), and devboxes past their deadline take the normal stop (snapshot first). Warnings
 * need nothing from the leader: pages and terminals derive them from the same deadline.
 */
export async function idlePass(db: Database, now = new Date()): Promise<IdlePassResult> {
  const result: IdlePassResult = { stopped: [] };
  for (const s of await loadIdleStates(db)) {
    if (idleVerdict(s.deadline, now) !== "stop") continue;
    const message = idleStopMessage(s.timeoutMinutes);
    const details = {
      reason: "idle",
      message,
      timeoutMinutes: s.timeoutMinutes,
      deadline: s.deadline.stopAt!.toISOString(),
      lastActivity: { kind: s.deadline.movedBy.kind, at: s.deadline.movedBy.at.toISOString(), by: s.deadline.movedBy.by },
    };
    if (await stopIdleDevbox(db, s.devbox, details, stillIdle(s))) {
      console.log(`[devbox] idle: ${s.devbox.name} ${message}`);
      result.stopped.push(s.devbox.id);
    }
  }
  return result;
}
