import { describe, expect, it } from "vitest";
import { computeDeadline, describeMover, idleStopMessage, idleVerdict, resolveTimeout } from "./deadline";

const MIN = 60_000;
const t0 = new Date("2026-12-06T10:00:00Z");
const at = (min: number) => new Date(t0.getTime() + min * MIN);

describe("idle deadline", () => {
  it("takes the devbox's timeout, else the team's, else the template's, else the default; 0 means never", () => {
    expect(resolveTimeout(null, null, null, 60)).toBe(60);
    expect(resolveTimeout(null, null, 30, 60)).toBe(30);
    expect(resolveTimeout(null, 90, 30, 60)).toBe(90);
    expect(resolveTimeout(0, 90, 30, 60)).toBe(0);
    expect(resolveTimeout(null, 0, 30, 60)).toBe(0);
  });

  it("is the last activity plus the timeout, and names it", () => {
    const d = computeDeadline({ timeoutMinutes: 60, lastActivity: { kind: "terminal-input", at: at(42), by: "u1" }, changedAt: t0, changedBy: null, keepUntil: null }, MIN, 5);
    expect(d.stopAt).toEqual(at(102));
    expect(d.warnAt).toEqual(at(97));
    expect(d.movedBy).toEqual({ kind: "terminal-input", at: at(42), by: "u1" });
    expect(describeMover(d.movedBy, "ana")).toBe("terminal input at 10:42 by ana");
  });

  it("counts a start (or a change) after the last activity as the newer event", () => {
    const d = computeDeadline({ timeoutMinutes: 60, lastActivity: { kind: "ssh", at: at(1), by: "u1" }, changedAt: at(10), changedBy: null, keepUntil: null }, MIN, 5);
    expect(d.stopAt).toEqual(at(70));
    expect(d.movedBy.kind).toBe("start");
  });

  it("never stops with a timeout of 0", () => {
    const d = computeDeadline({ timeoutMinutes: 0, lastActivity: null, changedAt: t0, changedBy: null, keepUntil: null }, MIN, 5);
    expect(d.stopAt).toBeNull();
    expect(idleVerdict(d, at(10_000))).toBe("never");
  });

  it("moves only forward with keep running: the later of activity+timeout and keep-until wins", () => {
    const keep = { at: at(120), by: "u2" };
    const later = computeDeadline({ timeoutMinutes: 60, lastActivity: null, changedAt: t0, changedBy: null, keepUntil: keep }, MIN, 5);
    expect(later.stopAt).toEqual(at(120));
    expect(later.movedBy).toEqual({ kind: "keep-running", at: at(0), by: "u2" });
    const activityWins = computeDeadline({ timeoutMinutes: 60, lastActivity: { kind: "exec", at: at(90), by: "u1" }, changedAt: t0, changedBy: null, keepUntil: keep }, MIN, 5);
    expect(activityWins.stopAt).toEqual(at(150));
  });

  it("says fine, then warn in the last minutes, then stop at the deadline", () => {
    const d = computeDeadline({ timeoutMinutes: 60, lastActivity: null, changedAt: t0, changedBy: null, keepUntil: null }, MIN, 5);
    expect(idleVerdict(d, at(54))).toBe("fine");
    expect(idleVerdict(d, at(55))).toBe("warn");
    expect(idleVerdict(d, at(59.9))).toBe("warn");
    expect(idleVerdict(d, at(60))).toBe("stop");
  });

  it("says how long the devbox was idle in the operation", () => {
    expect(idleStopMessage(60)).toBe("stopped after 60 min without activity");
    expect(idleStopMessage(15)).toBe("stopped after 15 min without activity");
    expect(idleStopMessage(240)).toBe("stopped after 4 h without activity");
  });
});
