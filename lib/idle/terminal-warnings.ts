import { getDb } from "@/db/client";
import type { TerminalRegistry } from "@/lib/terminal/registry";
import { IDLE_UNIT_MS } from "./clock";
import { autoStopWarning, describeMover, idleVerdict } from "./deadline";
import { loadIdleStates } from "./queries";

/** How often each replica looks for warnings to pass on to its open terminals. */
const CHECK_MS = Math.min(15_000, Math.max(500, IDLE_UNIT_MS / 4));

/**
 * Warns the terminals open on this replica once per session, deadline and attachment, when their devbox's
 * next automatic stop (idle, maximum lifetime or daily stop) (computed from the DB, as the leader computes it) enters the warning window. Any
 * replica may hold terminals, so each one reads the DB (one query for all its devboxes) rather
 * than waiting for the leader's in-process event.
 */
export function startTerminalIdleWarnings(registry: () => TerminalRegistry): () => void {
  const sent = new WeakMap<object, string>();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    const sessions = registry().all();
    if (sessions.length === 0) return;
    busy = true;
    void (async () => {
      const ids = [...new Set(sessions.map((s) => s.owner.devbox.id))];
      const states = new Map((await loadIdleStates(await getDb(), ids)).map((s) => [s.devbox.id, s]));
      const now = Date.now();
      for (const session of sessions) {
        const s = states.get(session.owner.devbox.id);
        const stopAt = s?.deadline.stopAt?.getTime();
        // Once per deadline and attachment: a tab reloaded (or a guest joining) after the warning
        // went out gets it again, while the DB still says it holds.
        const key = `${stopAt}:${session.attachCount}`;
        if (!s || !stopAt || idleVerdict(s.deadline, new Date(now)) !== "warn" || sent.get(session) === key) continue;
        sent.set(session, key);
        const minutes = Math.max(1, Math.round((stopAt - now) / IDLE_UNIT_MS));
        session.notify({
          type: "idle-warning",
          stopAt: new Date(stopAt).toISOString(),
          cause: s.deadline.cause ?? "idle",
          keepable: s.deadline.keepable,
          message: autoStopWarning(s.deadline, minutes, describeMover(s.deadline.movedBy, s.movedByName)),
        });
      }
    })()
      .catch((err) => console.error("[devbox] idle: terminal warnings failed:", err instanceof Error ? err.message : err))
      .finally(() => (busy = false));
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
