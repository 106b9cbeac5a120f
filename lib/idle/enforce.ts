import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { announceDevboxChange } from "@/lib/devboxes/change-bus";
import { stopIdleDevbox } from "@/lib/devboxes/service";
import { idleStopMessage, idleVerdict } from "./deadline";
import { loadIdleStates, stillIdle } from "./queries";

export interface IdlePassResult {
  warned: string[];
  stopped: string[];
}

/**
 * One idle pass, run by the reconciler's leader only (lib/reconciler/controller.ts): every
 * running devbox's deadline is computed from the DB (so a restart or a new leader carries on),
 * devboxes within the warning window get their warning recorded once per deadline (pages and
 * terminals show it), and devboxes past their deadline take the normal stop (snapshot first).
 */
export async function idlePass(db: Database, now = new Date()): Promise<IdlePassResult> {
  const result: IdlePassResult = { warned: [], stopped: [] };
  const states = await loadIdleStates(db);
  for (const s of states) {
    const verdict = idleVerdict(s.deadline, now);
    if (verdict === "stop") {
      const message = idleStopMessage(s.timeoutMinutes);
      const details = {
        reason: "idle",
        message,
        timeoutMinutes: s.timeoutMinutes,
        deadline: s.deadline.stopAt!.toISOString(),
        lastActivity: { kind: s.deadline.movedBy.kind, at: s.deadline.movedBy.at.toISOString(), by: s.deadline.movedBy.by },
      };
      const stopped = await stopIdleDevbox(db, s.devbox, details, stillIdle(s));
      if (stopped) {
        console.log(`[devbox] idle: ${s.devbox.name} ${message}`);
        result.stopped.push(s.devbox.id);
      }
    } else if (verdict === "warn" && s.warnedDeadline?.getTime() !== s.deadline.stopAt!.getTime()) {
      // Once per deadline; a bump (activity, keep running) makes a new deadline and a new warning later.
      await db.execute(sql`
        INSERT INTO devbox_idle (devbox_id, warned_deadline, updated_at) VALUES (${s.devbox.id}, ${s.deadline.stopAt!.toISOString()}::timestamptz, now())
        ON CONFLICT (devbox_id) DO UPDATE SET warned_deadline = excluded.warned_deadline, updated_at = now()`);
      announceDevboxChange(s.devbox.id);
      result.warned.push(s.devbox.id);
    }
  }
  return result;
}
