import { z } from "zod";

/** Request bodies of the apps API (app/api/v1/teams/[team]/apps); also feed the OpenAPI document. */

export const APP_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
export const MAX_REPLICAS = 10;

const envVar = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "letters, digits and '_', not starting with a digit"),
  value: z.string().max(32 * 1024),
});
const releaseRef = z.object({
  devbox: z.string().min(1).max(40),
  tag: z.string().min(1).max(64),
});

export const createAppBody = z
  .object({
    name: z.string().regex(APP_NAME, "lower-case letters, digits and '-', starting with a letter, at most 40"),
    release: releaseRef,
    replicas: z.number().int().min(0).max(MAX_REPLICAS).default(1),
    cpuMillis: z.number().int().min(50).max(16000).default(250),
    memoryMiB: z.number().int().min(32).max(65536).default(256),
    env: z.array(envVar).max(100).default([]),
    /** Replaces the release's entrypoint and cmd. */
    command: z.array(z.string().min(1).max(4096)).min(1).max(64).optional(),
    /** HTTP readiness probe on the first port; without it a TCP probe. */
    probePath: z.string().startsWith("/").max(1024).optional(),
  })
  .strict();
export type CreateAppBody = z.infer<typeof createAppBody>;

/** PATCH an app: any of these; `release` is a rolling update to another release of the same devbox. */
export const updateAppBody = z
  .object({
    release: releaseRef.optional(),
    replicas: z.number().int().min(0).max(MAX_REPLICAS).optional(),
    cpuMillis: z.number().int().min(50).max(16000).optional(),
    memoryMiB: z.number().int().min(32).max(65536).optional(),
    env: z.array(envVar).max(100).optional(),
    command: z.array(z.string().min(1).max(4096)).min(1).max(64).nullable().optional(),
  })
  .strict();
export type UpdateAppBody = z.infer<typeof updateAppBody>;
