import { z } from "zod";
import { MAX_IDLE_MINUTES } from "./clock";
import { isValidTimeZone, TIME_OF_DAY } from "./daily-stop";

/** Request bodies of the automatic-stop REST API (idle, lifetime, daily stop; also the source of their OpenAPI schemas). */
const timeoutMinutes = z
  .number()
  .int()
  .min(0)
  .max(MAX_IDLE_MINUTES)
  .nullable()
  .describe("Minutes without activity before the devbox is stopped; 0 = never; null = inherit (devbox → team → template)");

export const DailyStopSchema = z
  .strictObject({
    time: z.string().regex(TIME_OF_DAY, "a time of day as HH:MM (24 h)").describe('Wall-clock time of day, "HH:MM" (24 h)'),
    timeZone: z.string().refine(isValidTimeZone, "an IANA time zone such as Europe/Paris").describe('IANA time zone, e.g. "Europe/Paris"'),
  })
  .meta({ id: "DailyStop", description: "Stop the devbox every day at this wall-clock time in this zone, if it runs (DST-aware)." });

const maxLifetimeMinutes = z
  .number()
  .int()
  .min(1)
  .max(MAX_IDLE_MINUTES)
  .nullable()
  .describe("A running devbox is stopped this many minutes after its last start, whatever its activity; null = no maximum. “Keep running” does not lift it.");

/** PUT /api/v1/teams/{team}/devboxes/{name}/idle — only the fields sent change. */
export const devboxIdleSettingsBody = z
  .strictObject({
    timeoutMinutes: timeoutMinutes.optional(),
    dailyStop: z
      .union([DailyStopSchema, z.literal("never"), z.null()])
      .optional()
      .describe('This devbox\'s daily stop: a time and zone, "never" (whatever the team says), or null = the team\'s'),
  })
  .meta({ id: "DevboxIdleSettings" });
/** PUT /api/v1/teams/{team}/idle-settings — only the fields sent change. */
export const teamIdleSettingsBody = z
  .strictObject({
    timeoutMinutes: timeoutMinutes.optional(),
    maxLifetimeMinutes: maxLifetimeMinutes.optional(),
    dailyStop: DailyStopSchema.nullable().optional().describe("The team's daily stop (each devbox may override it); null = none"),
  })
  .meta({ id: "TeamIdleSettingsUpdate" });
/** POST /api/v1/teams/{team}/devboxes/{name}/idle/keep-running */
export const keepRunningBody = z
  .strictObject({})
  .meta({ id: "KeepRunning", description: "Moves the idle deadline (and a daily stop due sooner) to at least 2 h from now; never past the team's maximum lifetime." });

const dailyStopView = z.object({ time: z.string(), timeZone: z.string() });

export const IdleStateSchema = z
  .object({
    running: z.boolean().describe("Only a devbox that should run has a deadline that matters"),
    timeoutMinutes: z.number().int(),
    timeoutSource: z.enum(["devbox", "team", "template", "default"]),
    devboxTimeoutMinutes: z.number().int().nullable(),
    teamTimeoutMinutes: z.number().int().nullable(),
    templateTimeoutMinutes: z.number().int().nullable(),
    stopAt: z.string().nullable().describe("The next automatic stop (ISO 8601): the earliest of idle, maximum lifetime and daily stop; null = never"),
    warnAt: z.string().nullable(),
    cause: z.enum(["idle", "lifetime", "schedule"]).nullable().describe("Which deadline stopAt is"),
    why: z.string().describe('e.g. "if idle", "the team\'s maximum lifetime (8 h)", "daily stop at 20:00 Europe/Paris"'),
    keepable: z.boolean().describe("Whether “keep running for 2 h” postpones stopAt (not the maximum lifetime)"),
    idleStopAt: z.string().nullable().describe("The idle deadline alone"),
    movedBy: z.object({ kind: z.string(), at: z.string(), by: z.string().nullable() }).describe("What last moved the deadline"),
    reason: z.string().describe('e.g. "terminal input at 10:42 by ana"'),
    maxLifetimeMinutes: z.number().int().nullable().describe("The team's maximum lifetime"),
    dailyStop: dailyStopView.extend({ source: z.enum(["devbox", "team"]) }).nullable().describe("The daily stop in force"),
    devboxDailyStop: z.union([dailyStopView, z.literal("never")]).nullable(),
    teamDailyStop: dailyStopView.nullable(),
    unitMs: z.number().int().describe("Milliseconds per idle minute (shortened in tests)"),
  })
  .meta({ id: "DevboxIdleState" });
export type IdleStateView = z.infer<typeof IdleStateSchema>;

export const TeamIdleSettingsSchema = z
  .object({ timeoutMinutes: z.number().int().nullable(), maxLifetimeMinutes: z.number().int().nullable(), dailyStop: dailyStopView.nullable() })
  .meta({ id: "TeamIdleSettings" });
export type TeamIdleSettingsView = z.infer<typeof TeamIdleSettingsSchema>;
