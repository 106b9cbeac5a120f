import { z } from "zod";

/** Request bodies of the releases API (app/api/v1/teams/[team]/devboxes/[name]/releases); also feed the OpenAPI document. */

export const RELEASE_TAG = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const NOTES_MAX = 2000;
export const DEFAULT_ENTRYPOINT = "/home/devbox/project/entrypoint.sh";

const envVar = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "letters, digits and '_', not starting with a digit"),
  value: z.string().max(32 * 1024),
});

const port = z.object({
  port: z.number().int().min(1).max(65535),
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/, "a port name is a short DNS label").optional(),
});

const argv = z.array(z.string().min(1).max(4096)).max(64);

export const createReleaseBody = z
  .object({
    tag: z.string().regex(RELEASE_TAG, "a tag is 1–64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit (e.g. v1.2.0)"),
    notes: z.string().max(NOTES_MAX, `notes are at most ${NOTES_MAX} characters`).default(""),
    /** The command the image runs (after tini); default DEFAULT_ENTRYPOINT. */
    entrypoint: argv.min(1).optional(),
    cmd: argv.default([]),
    workingDir: z.string().startsWith("/", "an absolute path").max(1024).optional(),
    env: z.array(envVar).max(100).default([]),
    /** Default: the devbox's ports. */
    ports: z.array(port).max(20).optional(),
  })
  .strict();
export type CreateReleaseBody = z.infer<typeof createReleaseBody>;

/** POST …/releases/{tag}/forks: a new devbox starting from the release image. */
export const forkReleaseBody = z.object({ name: z.string().min(1).max(40) }).strict();
