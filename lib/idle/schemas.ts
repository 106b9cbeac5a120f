import { z } from "zod";
import { MAX_IDLE_MINUTES } from "./clock";

/** Request bodies of the idle auto-stop REST API (also the source of their OpenAPI schemas). */
const timeoutMinutes = z
  .number()
  .int()
  .min(0)
  .max(MAX_IDLE_MINUTES)
  .nullable()
  .describe("Minutes without activity before the devbox is stopped; 0 = never; null = inherit (devbox → team → template)");

/** PUT /api/v1/teams/{team}/devboxes/{name}/idle */
export const devboxIdleSettingsBody = z.strictObject({ timeoutMinutes }).meta({ id: "DevboxIdleSettings" });
/** PUT /api/v1/teams/{team}/idle-settings */
export const teamIdleSettingsBody = z.strictObject({ timeoutMinutes }).meta({ id: "TeamIdleSettingsUpdate" });
/** POST /api/v1/teams/{team}/devboxes/{name}/idle/keep-running */
export const keepRunningBody = z.strictObject({}).meta({ id: "KeepRunning", description: "Moves the idle deadline to at least 2 h from now." });

export const IdleStateSchema = z
  .object({
    running: z.boolean().describe("Only a devbox that should run has a deadline that matters"),
    timeoutMinutes: z.number().int(),
    timeoutSource: z.enum(["devbox", "team", "template", "default"]),
    devboxTimeoutMinutes: z.number().int().nullable(),
    teamTimeoutMinutes: z.number().int().nullable(),
    templateTimeoutMinutes: z.number().int().nullable(),
    stopAt: z.string().nullable().describe("When the devbox is stopped if nothing happens (ISO 8601); null = never"),
    warnAt: z.string().nullable(),
    movedBy: z.object({ kind: z.string(), at: z.string(), by: z.string().nullable() }).describe("What last moved the deadline"),
    reason: z.string().describe('e.g. "terminal input at 10:42 by ana"'),
    unitMs: z.number().int().describe("Milliseconds per idle minute (shortened in tests)"),
  })
  .meta({ id: "DevboxIdleState" });
export type IdleStateView = z.infer<typeof IdleStateSchema>;

export const TeamIdleSettingsSchema = z.object({ timeoutMinutes: z.number().int().nullable() }).meta({ id: "TeamIdleSettings" });
