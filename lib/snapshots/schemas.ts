import { z } from "zod";
import type { Assert, JsonOf, Matches } from "@/lib/api/operation";
import type { SnapshotView } from "./view";

/** The REST API's snapshot bodies and answers (validation and the OpenAPI document, lib/api/). */

export const ForkBody = z
  .object({ name: z.string({ error: 'Send {"name": "<new devbox name>"}.' }).meta({ description: "The new devbox's name." }) })
  .meta({ id: "Fork", description: "A new devbox in the same team, starting from this snapshot." });

export const SnapshotSchema = z
  .object({
    id: z.string(),
    image: z.string(),
    digest: z.string(),
    trigger: z.enum(["stop", "commit", "restart", "update", "periodic", "merge", "fork", "recovery"]),
    bytesAdded: z.number(),
    layerCount: z.number(),
    ownLayerCount: z.number(),
    durationMs: z.number(),
    actorId: z.string().nullable(),
    actorEmail: z.string().nullable().optional(),
    pinned: z.boolean(),
    createdAt: z.string().meta({ format: "date-time" }),
  })
  .meta({ id: "Snapshot", description: "One saved state of a devbox: an image in the internal registry." });

export type SnapshotViewMatches = Assert<Matches<JsonOf<SnapshotView>, z.infer<typeof SnapshotSchema>>>;
