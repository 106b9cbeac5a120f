import { z } from "zod";
import { releaseStatus } from "@/db/schema/releases";

/**
 * Bodies and answers of the releases API (app/api/v1/teams/[team]/devboxes/[name]/releases): the
 * route handlers validate with them (lib/api/body.ts) and the OpenAPI document is generated from
 * them (lib/api/operations/releases.ts).
 */

export const RELEASE_TAG = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const NOTES_MAX = 2000;
export const DEFAULT_ENTRYPOINT = "/home/devbox/project/entrypoint.sh";

const envVar = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "A variable name is letters, digits and '_', not starting with a digit."),
  value: z.string().max(32 * 1024),
});

const port = z.object({
  port: z.number().int().min(1).max(65535),
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/, "A port name is at most 15 of a-z, 0-9 and '-', starting and ending with a letter or digit.").optional(),
});

const argv = z.array(z.string().min(1).max(4096)).max(64);

export const createReleaseBody = z
  .object({
    tag: z.string({ error: (iss) => (iss.input === undefined ? "'tag' is required." : "'tag' must be a string.") }).regex(RELEASE_TAG, "A tag is 1–64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit (e.g. v1.2.0)."),
    notes: z.string().max(NOTES_MAX, `Notes are at most ${NOTES_MAX} characters.`).default(""),
    /** The command the image runs (after tini); default DEFAULT_ENTRYPOINT. */
    entrypoint: argv.min(1).optional(),
    cmd: argv.default([]),
    workingDir: z.string().startsWith("/", "'workingDir' must be an absolute path.").max(1024).optional(),
    env: z.array(envVar).max(100).default([]),
    /** Default: the devbox's ports. */
    ports: z.array(port).max(20).optional(),
  })
  .strict()
  .meta({ id: "CreateRelease", description: "A new release of the devbox: its project as an image that runs `entrypoint` + `cmd`." });
export type CreateReleaseBody = z.infer<typeof createReleaseBody>;

/** POST …/releases/{tag}/forks: a new devbox starting from the release image. */
export const forkReleaseBody = z
  .object({ name: z.string({ error: 'Send {"name": "<new devbox name>"}.' }).min(1).max(40).meta({ description: "The new devbox's name." }) })
  .strict()
  .meta({ id: "ForkRelease", description: "A new devbox in the same team, starting from this release's image." });

const dateTime = z.string().meta({ format: "date-time" });

/** What the API (and the release panel) shows of a release; ReleaseView is this schema's type, so the two cannot drift. */
export const ReleaseSchema = z
  .object({
    tag: z.string(),
    notes: z.string(),
    status: z.enum(releaseStatus.enumValues),
    phase: z.string().nullable().meta({ description: "The step a pending release is at (commit, merge, push)." }),
    failureReason: z.string().nullable(),
    image: z.string().nullable().meta({ description: "The image reference, once ready." }),
    digest: z.string().nullable(),
    sizeBytes: z.number().nullable(),
    snapshotId: z.string().nullable().meta({ description: "The snapshot it was made from." }),
    entrypoint: z.array(z.string()),
    cmd: z.array(z.string()),
    workingDir: z.string(),
    env: z.array(z.object({ name: z.string(), value: z.string() })),
    ports: z.array(z.object({ port: z.number(), name: z.string() })),
    createdBy: z.string().nullable().meta({ description: "The e-mail of who made it." }),
    apps: z.array(z.string()).meta({ description: "The apps that run it (it cannot be deleted while any do)." }),
    createdAt: dateTime,
    finishedAt: dateTime.nullable(),
  })
  .meta({ id: "Release", description: "An immutable, versioned image of a devbox; `status` pending → ready or failed." });
