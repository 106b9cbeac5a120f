/**
 * The daily stop: "stop at 20:00 in Europe/Paris every day". Pure, computed with Intl only (no
 * time-zone library), so the leader, the page and the tests agree. A wall-clock time that does not
 * exist on a day (skipped by a DST change, e.g. 02:30 on the last Sunday of March in Paris) is
 * taken as the same time on the old offset, i.e. moved forward by the gap (03:30); one that exists
 * twice (the hour repeated in autumn) is the earlier of the two — Temporal's "compatible" rule.
 */

export interface DailyStop {
  /** "HH:MM", 24-hour. */
  time: string;
  /** IANA time zone, e.g. "Europe/Paris". */
  timeZone: string;
}

/** "HH:MM", 24-hour. */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_MS = 86_400_000;

export function isValidTime(time: string): boolean {
  return TIME_OF_DAY.test(time);
}

/** True for a zone this runtime's Intl knows (IANA names and "UTC"); "Mars/Olympus" or "" is not. */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock of `ms` in the zone, as if it were UTC (ms, whole seconds). */
function wallMs(ms: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) if (part.type !== "literal") p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/** The zone's UTC offset at that instant, in ms (Paris in summer: +7 200 000). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallMs(whole, timeZone) - whole;
}

/** The instant at which the zone's wall clock reads `wall` (a "UTC" ms of that wall time); see the file comment for gaps and repeats. */
export function instantOfWallTime(wall: number, timeZone: string): number {
  // Offsets a day either side: a zone changes its offset at most once in that window.
  const before = zoneOffsetMs(wall - DAY_MS, timeZone);
  const after = zoneOffsetMs(wall + DAY_MS, timeZone);
  const fits = [wall - before, wall - after].filter((t) => wallMs(t, timeZone) === wall);
  if (fits.length > 0) return Math.min(...fits);
  return wall - before; // in a gap: the old offset moves it forward by the gap's length
}

/**
 * The first instant strictly after `after` at which the zone's wall clock reads `time`: the next
 * daily stop of a devbox that started (or was last changed) at `after`.
 */
export function nextDailyStop(after: Date, stop: DailyStop): Date {
  const m = TIME_OF_DAY.exec(stop.time);
  if (!m) throw new RangeError(`not a time of day: ${stop.time}`);
  const hh = Number(m[1]);
  const mm = Number(m[2]);
  const today = new Date(wallMs(after.getTime(), stop.timeZone));
  for (let day = 0; day < 3; day++) {
    const wall = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + day, hh, mm);
    const t = instantOfWallTime(wall, stop.timeZone);
    if (t > after.getTime()) return new Date(t);
  }
  throw new Error("unreachable: a daily time recurs within 3 days");
}

/** "20:00 Europe/Paris". */
export function describeDailyStop(stop: DailyStop): string {
  return `${stop.time} ${stop.timeZone}`;
}
