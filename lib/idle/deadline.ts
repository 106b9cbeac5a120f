import { IDLE_UNIT_MS, IDLE_WARN_MINUTES, KEEP_RUNNING_MINUTES } from "./clock";

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
  let stopAt = new Date(base.at.getTime() + i.timeoutMinutes * unitMs);
  let movedBy = base;
  if (i.keepUntil && i.keepUntil.at > stopAt) {
    stopAt = i.keepUntil.at;
    movedBy = { kind: "keep-running", at: new Date(i.keepUntil.at.getTime() - KEEP_RUNNING_MINUTES * unitMs), by: i.keepUntil.by };
  }
  return { stopAt, warnAt: new Date(stopAt.getTime() - warnMinutes * unitMs), movedBy };
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
