import { z } from "zod";
import { tailLinesField } from "@/lib/devboxes/schemas";

/**
 * Bodies and answers of the apps API (app/api/v1/teams/[team]/apps): the route handlers validate
 * with them (lib/api/body.ts) and the OpenAPI document is generated from them (lib/api/operations/apps.ts).
 */

export const APP_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
export const MAX_REPLICAS = 10;

const envVar = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "A variable name is letters, digits and '_', not starting with a digit."),
  value: z.string().max(32 * 1024),
});
const releaseRef = z
  .object({
    devbox: z.string().min(1).max(40),
    tag: z.string().min(1).max(64),
  })
  .meta({ description: "A ready release: the devbox's name in this team and the release's tag." });

export const createAppBody = z
  .object({
    name: z.string({ error: (iss) => (iss.input === undefined ? "'name' is required." : "'name' must be a string.") }).regex(APP_NAME, "An app name is at most 40 lower-case letters, digits and '-', starting with a letter."),
    release: releaseRef.meta({ description: "The release to run." }),
    replicas: z.number().int().min(0).max(MAX_REPLICAS).default(1),
    cpuMillis: z.number().int().min(50).max(16000).default(250),
    memoryMiB: z.number().int().min(32).max(65536).default(256),
    env: z.array(envVar).max(100).default([]),
    /** Replaces the release's entrypoint and cmd. */
    command: z.array(z.string().min(1).max(4096)).min(1).max(64).optional(),
    /** HTTP readiness probe on the first port; without it a TCP probe. */
    probePath: z.string().startsWith("/").max(1024).optional(),
  })
  .strict()
  .meta({ id: "CreateApp", description: "Deploys a ready release as a Deployment and a Service in the team's namespace." });
export type CreateAppBody = z.infer<typeof createAppBody>;

/** PATCH an app: any of these; `release` is a rolling update to another release of the same devbox. */
export const updateAppBody = z
  .object({
    release: releaseRef.optional(),
    replicas: z.number().int().min(0).max(MAX_REPLICAS).optional(),
    cpuMillis: z.number().int().min(50).max(16000).optional(),
    memoryMiB: z.number().int().min(32).max(65536).optional(),
    env: z.array(envVar).max(100).optional(),
    command: z.array(z.string().min(1).max(4096)).min(1).max(64).nullable().optional().meta({ description: "null: back to the release's entrypoint and cmd." }),
  })
  .strict()
  // A PATCH that names nothing (or only misspelt fields) is a mistake, not a redeploy.
  .refine((b) => Object.values(b).some((v) => v !== undefined), { error: "Nothing to change: send release, replicas, cpuMillis, memoryMiB, env or command." })
  .meta({ id: "UpdateApp", description: "Any of these; `release` is a rolling update, `replicas: 0` stops the app." });
export type UpdateAppBody = z.infer<typeof updateAppBody>;

const dateTime = z.string().meta({ format: "date-time" });

export const ReplicaSchema = z
  .object({
    pod: z.string(),
    phase: z.string(),
    ready: z.boolean(),
    restarts: z.number(),
    releaseId: z.string().nullable(),
    reason: z.string().nullable().meta({ description: "Why it is waiting or ended (e.g. CrashLoopBackOff)." }),
    startedAt: dateTime.nullable(),
    terminating: z.boolean(),
  })
  .meta({ id: "Replica", description: "One Pod of an app." });

export const APP_STATES = ["Stopped", "Progressing", "Ready", "Degraded", "Missing"] as const;

/** What the API (and the apps pages) show of an app; AppView is this schema's type, so the two cannot drift. */
export const AppSchema = z
  .object({
    name: z.string(),
    release: z.object({ tag: z.string(), devboxId: z.string(), id: z.string() }).nullable(),
    previousRelease: z.object({ tag: z.string(), id: z.string() }).nullable().meta({ description: "What a rollback goes back to." }),
    replicas: z.number(),
    cpuMillis: z.number(),
    memoryMiB: z.number(),
    env: z.array(z.object({ name: z.string(), value: z.string() })),
    command: z.array(z.string()).nullable(),
    status: z.object({
      state: z.enum(APP_STATES),
      ready: z.number(),
      updated: z.number(),
      available: z.number(),
      message: z.string().nullable(),
    }),
    pods: z.array(ReplicaSchema),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: "App", description: "A release run as a service: what was asked (the record) and what runs (the cluster)." });

/** GET …/apps/{app}/logs: which replica and how many lines. */
export const AppLogsQuery = z.object({
  pod: z.string({ error: "'pod' must be a string." }).max(253).optional().meta({ description: "A replica's Pod name (default: the newest replica)." }),
  tail: tailLinesField("tail"),
});
