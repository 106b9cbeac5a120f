/**
 * The idle clock's units. Everything is counted in "minutes" of DEVBOX_IDLE_UNIT_MS (60 000 in
 * production); tests shorten the minute to make a 60-minute timeout pass in seconds.
 */
const num = (v: string | undefined, dflt: number) => (v !== undefined && v !== "" && Number.isFinite(Number(v)) ? Number(v) : dflt);

export const IDLE_UNIT_MS = num(process.env.DEVBOX_IDLE_UNIT_MS, 60_000);
/** Timeout when neither the devbox, its team nor its template says otherwise. */
export const DEFAULT_IDLE_MINUTES = 60;
/** How long before the stop open pages and terminals are warned. */
export const IDLE_WARN_MINUTES = num(process.env.DEVBOX_IDLE_WARN_MINUTES, 5);
/** "Keep running for 2 h". */
export const KEEP_RUNNING_MINUTES = 120;
/** The coalescer writes one devbox's activity at most once per this many ms. */
export const ACTIVITY_FLUSH_MS = num(process.env.DEVBOX_ACTIVITY_FLUSH_MS, 30_000);
/** Longest timeout a user may set: a week. */
export const MAX_IDLE_MINUTES = 7 * 24 * 60;
/** How often the leader checks deadlines: the stop lands within one check of the deadline. */
export const IDLE_CHECK_MS = num(process.env.DEVBOX_IDLE_CHECK_MS, 15_000);
