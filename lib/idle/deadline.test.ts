import { describe, expect, it } from "vitest";
import { autoStopMessage, autoStopWarning, computeDeadline, computeStopDeadline, describeMover, idleStopMessage, idleVerdict, resolveTimeout } from "./deadline";

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

describe("next automatic stop: the earliest of idle, maximum lifetime and daily stop", () => {
  // t0 = 2026-12-06 10:00 UTC = 11:00 in Paris (CET).
  const idle = (minutes: number) => computeDeadline({ timeoutMinutes: minutes, lastActivity: null, changedAt: t0, changedBy: null, keepUntil: null }, MIN, 5);
  const stop = (o: { idle?: number; lifetime?: number | null; daily?: string | null; keep?: number }) =>
    computeStopDeadline(
      {
        idle: idle(o.idle ?? 0),
        changedAt: t0,
        changedBy: "u1",
        maxLifetimeMinutes: o.lifetime ?? null,
        dailyStop: o.daily ? { time: o.daily, timeZone: "Europe/Paris" } : null,
        keepUntil: o.keep !== undefined ? { at: at(o.keep), by: "u2" } : null,
      },
      MIN,
      5,
    );

  it("is the idle deadline when nothing else is set, and never when idle is off too", () => {
    const d = stop({ idle: 60 });
    expect(d).toMatchObject({ stopAt: at(60), warnAt: at(55), cause: "idle", why: "if idle", keepable: true });
    expect(stop({})).toMatchObject({ stopAt: null, warnAt: null, cause: null });
  });

  it("takes the maximum lifetime when it comes first: counted from the last start, not moved by keep running", () => {
    const d = stop({ idle: 600, lifetime: 480, keep: 590 });
    expect(d).toMatchObject({ stopAt: at(480), warnAt: at(475), cause: "lifetime", why: "the team's maximum lifetime (8 h)", keepable: false });
    expect(d.movedBy).toEqual({ kind: "start", at: t0, by: "u1" });
  });

  it("takes the daily stop when it comes first, with its wall-clock time and zone as the reason", () => {
    const d = stop({ idle: 24 * 60, lifetime: 12 * 60, daily: "20:00" });
    expect(d.stopAt).toEqual(new Date("2026-12-06T19:00:00Z"));
    expect(d).toMatchObject({ cause: "schedule", why: "daily stop at 20:00 Europe/Paris", keepable: true });
    expect(idleVerdict(d, new Date("2026-12-06T18:54:59Z"))).toBe("fine");
    expect(idleVerdict(d, new Date("2026-12-06T18:55:00Z"))).toBe("warn");
    expect(idleVerdict(d, new Date("2026-12-06T19:00:00Z"))).toBe("stop");
  });

  it("postpones the daily stop by keep running, never the lifetime", () => {
    // 20:00 Paris = 19:00 UTC = t0 + 540 min; kept until t0 + 590.
    const kept = stop({ daily: "20:00", keep: 590 });
    expect(kept).toMatchObject({ stopAt: at(590), cause: "schedule", why: "daily stop at 20:00 Europe/Paris, postponed by “keep running”" });
    expect(kept.movedBy).toEqual({ kind: "keep-running", at: at(470), by: "u2" });
    // A keep-until before the daily stop (clicked in the morning for idle) does not move it.
    expect(stop({ daily: "20:00", keep: 200 }).stopAt).toEqual(at(540));
    // A lifetime of 9.5 h caps the kept daily stop.
    expect(stop({ daily: "20:00", keep: 650, lifetime: 570 })).toMatchObject({ stopAt: at(570), cause: "lifetime" });
  });

  it("never stops by a setting made after its deadline before a full warning window", () => {
    const base = { idle: idle(0), changedAt: t0, changedBy: null, keepUntil: null, dailyStop: null, maxLifetimeMinutes: null };
    // A 2 h lifetime set at t0 + 10 h: the devbox is over it, so it stops 5 min after the setting, warned at once.
    const late = computeStopDeadline({ ...base, maxLifetimeMinutes: 120, lifetimeSetAt: at(600) }, MIN, 5);
    expect(late).toMatchObject({ stopAt: at(605), warnAt: at(600), cause: "lifetime", why: "the team's maximum lifetime (2 h), set just now (after the warning)" });
    // Set long before its deadline: no change.
    expect(computeStopDeadline({ ...base, maxLifetimeMinutes: 120, lifetimeSetAt: at(-60) }, MIN, 5)).toMatchObject({ stopAt: at(120), why: "the team's maximum lifetime (2 h)" });
    // A daily stop at 11:00 Paris (t0) set at 11:03: at 11:08, not at once.
    const daily = computeStopDeadline({ ...base, dailyStop: { time: "11:00", timeZone: "Europe/Paris" }, changedAt: at(-60), dailyStopSetAt: at(3) }, MIN, 5);
    expect(daily.stopAt).toEqual(at(8));
  });

  it("says why in the operation and in the warning", () => {
    const o = { timeoutMinutes: 60, maxLifetimeMinutes: 480, dailyStop: { time: "20:00", timeZone: "Europe/Paris" } };
    expect(autoStopMessage("lifetime", o)).toBe("stopped after 8 h: the team's maximum lifetime");
    expect(autoStopMessage("lifetime", { ...o, maxLifetimeMinutes: 90 })).toBe("stopped after 90 min: the team's maximum lifetime");
    expect(autoStopMessage("schedule", o)).toBe("stopped by the daily stop at 20:00 Europe/Paris");
    expect(autoStopMessage("idle", o)).toBe("stopped after 60 min without activity");
    expect(autoStopWarning(stop({ daily: "20:00" }), 5, "x")).toBe("Daily stop at 20:00 Europe/Paris: this devbox stops in 5 min (a snapshot is saved first). Keep it running for 2 h to postpone it.");
    expect(autoStopWarning(stop({ lifetime: 60 }), 5, "x")).toMatch(/^The team's maximum lifetime is reached: this devbox stops in 5 min/);
    expect(autoStopWarning(stop({ idle: 60 }), 5, "terminal input at 10:42 by ana")).toMatch(/^No activity since terminal input at 10:42 by ana: /);
  });
});
