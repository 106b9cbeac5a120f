import { IDLE_UNIT_MS, IDLE_WARN_MINUTES, KEEP_RUNNING_MINUTES } from "./clock";
import { describeDailyStop, nextDailyStop, type DailyStop } from "./daily-stop";

/** What moves an idle deadline. "start" is any change of the devbox by a user (start, restart, update). */
export type ActivityKind = "terminal-input" | "terminal-output" | "ssh" | "preview" | "exec" | "keep-running" | "start";

export interface Mover {
  kind: ActivityKind;
  at: Date;
  by: string | null;
}

export interface DeadlineInputs {
  /** Resolved timeout in idle minutes; 0 = never. */
  timeoutMinutes: number;
  lastActivity: Mover | null;
  /** When a user last changed the devbox (devboxes.updated_at): a start counts as activity. */
  changedAt: Date;
  changedBy: string | null;
  keepUntil: { at: Date; by: string | null } | null;
}

export interface Deadline {
  /** null = never stops by itself. */
  stopAt: Date | null;
  warnAt: Date | null;
  /** The event that set stopAt ("terminal input at 10:42 by ana"). */
  movedBy: Mover;
}

/** The first of devbox, team, template overrides that is set; a negative or missing value is skipped. */
export function resolveTimeout(devbox: number | null | undefined, team: number | null | undefined, template: number | null | undefined, dflt: number): number {
  for (const v of [devbox, team, template]) if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  return dflt;
}

/**
 * The deadline only moves forward: the later of (last activity or change) + timeout and a
 * "keep running until". Pure, so the leader, the page and the tests compute the same thing.
 */
export function computeDeadline(i: DeadlineInputs, unitMs = IDLE_UNIT_MS, warnMinutes = IDLE_WARN_MINUTES): Deadline {
  const change: Mover = { kind: "start", at: i.changedAt, by: i.changedBy };
  const base = i.lastActivity && i.lastActivity.at > i.changedAt ? i.lastActivity : change;
  if (i.timeoutMinutes <= 0) return { stopAt: null, warnAt: null, movedBy: base };
  const { stopAt, movedBy } = keptRunning(new Date(base.at.getTime() + i.timeoutMinutes * unitMs), base, i.keepUntil, unitMs);
  return { stopAt, warnAt: new Date(stopAt.getTime() - warnMinutes * unitMs), movedBy };
}

/** A "keep running until" later than stopAt postpones it; the mover is then the click (keep-until minus the keep span). */
function keptRunning(stopAt: Date, movedBy: Mover, keepUntil: DeadlineInputs["keepUntil"], unitMs: number): { stopAt: Date; movedBy: Mover; kept: boolean } {
  if (!keepUntil || keepUntil.at <= stopAt) return { stopAt, movedBy, kept: false };
  const at = new Date(keepUntil.at.getTime() - KEEP_RUNNING_MINUTES * unitMs);
  return { stopAt: keepUntil.at, movedBy: { kind: "keep-running", at, by: keepUntil.by }, kept: true };
}

export type IdleVerdict = "never" | "fine" | "warn" | "stop";

export function idleVerdict(d: Deadline, now: Date): IdleVerdict {
  if (!d.stopAt) return "never";
  if (now >= d.stopAt) return "stop";
  if (d.warnAt && now >= d.warnAt) return "warn";
  return "fine";
}

const KIND_TEXT: Record<ActivityKind, string> = {
  "terminal-input": "terminal input",
  "terminal-output": "terminal output",
  ssh: "SSH traffic",
  preview: "a preview URL request",
  exec: "a CLI exec",
  "keep-running": "“keep running” clicked",
  start: "started or changed",
};

/** "terminal input at 10:42 by ana" (time in the given zone, UTC on the server). */
export function describeMover(m: Mover, byName: string | null, timeZone = "UTC"): string {
  const time = m.at.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone });
  return `${KIND_TEXT[m.kind]} at ${time}${byName ? ` by ${byName}` : ""}`;
}

/** The operation's message: "stopped after 60 min without activity". */
export function idleStopMessage(timeoutMinutes: number): string {
  return timeoutMinutes % 60 === 0 && timeoutMinutes >= 120
    ? `stopped after ${timeoutMinutes / 60} h without activity`
    : `stopped after ${timeoutMinutes} min without activity`;
}

/** Why a running devbox is stopped without anyone pressing Stop. */
export type StopCause = "idle" | "lifetime" | "schedule";

export interface StopInputs {
  /** The idle deadline (computeDeadline). */
  idle: Deadline;
  /** When the devbox last started (or was restarted/changed): the lifetime and the daily stop count from there. */
  changedAt: Date;
  changedBy: string | null;
  /** The team's maximum lifetime in idle minutes; null or 0 = none. */
  maxLifetimeMinutes: number | null;
  dailyStop: DailyStop | null;
  keepUntil: { at: Date; by: string | null } | null;
  /** When the lifetime / the daily stop in force was last set: neither stops a devbox before a full warning window after that. */
  lifetimeSetAt?: Date | null;
  dailyStopSetAt?: Date | null;
}

export interface StopDeadline extends Deadline {
  /** null = never stops by itself. */
  cause: StopCause | null;
  /** "if idle", "the team's maximum lifetime (8 h)", "daily stop at 20:00 Europe/Paris". */
  why: string;
  /** Whether "keep running for 2 h" postpones it: not the team's maximum lifetime, a cap no user may lift. */
  keepable: boolean;
}

/** "8 h", "90 min". */
export function formatDuration(minutes: number): string {
  return minutes % 60 === 0 && minutes >= 60 ? `${minutes / 60} h` : `${minutes} min`;
}

/**
 * The next stop is the earliest of three deadlines: idle (moved by activity and "keep running"),
 * the team's maximum lifetime since the last start (a hard cap: "keep running" does not lift it),
 * and the daily stop (the first occurrence after the last start; "keep running" past it
 * postpones it to the keep-until, so a person still at work at 19:57 can finish).
 */
export function computeStopDeadline(i: StopInputs, unitMs = IDLE_UNIT_MS, warnMinutes = IDLE_WARN_MINUTES): StopDeadline {
  const start: Mover = { kind: "start", at: i.changedAt, by: i.changedBy };
  // A setting made after its deadline (a lifetime of 8 h set on a devbox running for 10) stops only after the warning.
  const graceEnd = (setAt: Date | null | undefined) => (setAt ? setAt.getTime() + warnMinutes * unitMs : -Infinity);
  const graced = (at: number, setAt: Date | null | undefined) => new Date(Math.max(at, graceEnd(setAt)));
  const justSet = (at: number, setAt: Date | null | undefined) => (graceEnd(setAt) > at ? ", set just now (after the warning)" : "");
  const candidates: StopDeadline[] = [];
  if (i.maxLifetimeMinutes && i.maxLifetimeMinutes > 0) {
    const raw = i.changedAt.getTime() + i.maxLifetimeMinutes * unitMs;
    const why = `the team's maximum lifetime (${formatDuration(i.maxLifetimeMinutes)})${justSet(raw, i.lifetimeSetAt)}`;
    candidates.push({ stopAt: graced(raw, i.lifetimeSetAt), warnAt: null, movedBy: start, cause: "lifetime", why, keepable: false });
  }
  if (i.dailyStop) {
    const raw = nextDailyStop(i.changedAt, i.dailyStop).getTime();
    const { stopAt, movedBy, kept } = keptRunning(graced(raw, i.dailyStopSetAt), start, i.keepUntil, unitMs);
    const why = `daily stop at ${describeDailyStop(i.dailyStop)}${kept ? ", postponed by “keep running”" : justSet(raw, i.dailyStopSetAt)}`;
    candidates.push({ stopAt, warnAt: null, movedBy, cause: "schedule", why, keepable: true });
  }
  if (i.idle.stopAt) candidates.push({ ...i.idle, cause: "idle", why: "if idle", keepable: true });
  if (candidates.length === 0) return { ...i.idle, cause: null, why: "never", keepable: false };
  // Earliest first; on a tie the one "keep running" cannot move (lifetime), then the schedule.
  const first = candidates.reduce((a, b) => (b.stopAt!.getTime() < a.stopAt!.getTime() ? b : a));
  return { ...first, warnAt: new Date(first.stopAt!.getTime() - warnMinutes * unitMs) };
}

/** The stop operation's message: "stopped after 60 min without activity", "stopped after 8 h: the team's maximum lifetime", "stopped by the daily stop at 20:00 Europe/Paris". */
export function autoStopMessage(cause: StopCause, o: { timeoutMinutes: number; maxLifetimeMinutes: number | null; dailyStop: DailyStop | null }): string {
  if (cause === "lifetime") return `stopped after ${formatDuration(o.maxLifetimeMinutes ?? 0)}: the team's maximum lifetime`;
  if (cause === "schedule") return `stopped by the daily stop at ${o.dailyStop ? describeDailyStop(o.dailyStop) : "?"}`;
  return idleStopMessage(o.timeoutMinutes);
}

/** The warning open pages and terminals show in the last minutes before an automatic stop. */
export function autoStopWarning(d: StopDeadline, minutesLeft: number, lastMove: string): string {
  const when = `this devbox stops in ${minutesLeft} min (a snapshot is saved first)`;
  if (d.cause === "lifetime") return `The team's maximum lifetime is reached: ${when}. Start it again to go on.`;
  if (d.cause === "schedule") return `${d.why[0].toUpperCase()}${d.why.slice(1)}: ${when}. Keep it running for 2 h to postpone it.`;
  return `No activity since ${lastMove}: ${when}. Type anything, or keep it running for 2 h.`;
}
