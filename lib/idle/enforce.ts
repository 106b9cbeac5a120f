import type { Database } from "@/db/client";
import { stopIdleDevbox } from "@/lib/devboxes/service";
import { autoStopMessage, idleVerdict } from "./deadline";
import { loadIdleStates, stillDue } from "./queries";

export interface IdlePassResult {
  stopped: string[];
}

/**
 * One automatic-stop pass, run by the reconciler's leader only (lib/reconciler/controller.ts):
 * every running devbox's next stop — the earliest of its idle deadline, the team's maximum
 * lifetime and its daily stop — is computed from the DB in one query (so a restart or a new
 * leader carries on), and devboxes past it take the normal stop (snapshot first), in one
 * conditional UPDATE that loses to anything that moved that deadline meanwhile. Warnings need
 * nothing from the leader: pages and terminals derive them from the same deadline.
 */
export async function idlePass(db: Database, now = new Date()): Promise<IdlePassResult> {
  const result: IdlePassResult = { stopped: [] };
  for (const s of await loadIdleStates(db)) {
    const cause = s.deadline.cause;
    if (!cause || idleVerdict(s.deadline, now) !== "stop") continue;
    const message = autoStopMessage(cause, s);
    const details: Record<string, unknown> = {
      reason: cause,
      message,
      deadline: s.deadline.stopAt!.toISOString(),
      ...(cause === "idle" && {
        timeoutMinutes: s.timeoutMinutes,
        lastActivity: { kind: s.deadline.movedBy.kind, at: s.deadline.movedBy.at.toISOString(), by: s.deadline.movedBy.by },
      }),
      ...(cause === "lifetime" && { maxLifetimeMinutes: s.maxLifetimeMinutes, startedAt: s.devbox.updatedAt.toISOString() }),
      ...(cause === "schedule" && { dailyStop: s.dailyStop }),
    };
    if (await stopIdleDevbox(db, s.devbox, details, stillDue(s))) {
      console.log(`[devbox] auto-stop: ${s.devbox.name} ${message}`);
      result.stopped.push(s.devbox.id);
    }
  }
  return result;
}
