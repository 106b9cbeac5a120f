import type { z } from "zod";
import type { Release } from "@/db/schema/releases";
import type { ReleaseSchema } from "./schemas";

/** The API's release (lib/releases/schemas.ts ReleaseSchema, which the OpenAPI document shows). */
export type ReleaseView = z.infer<typeof ReleaseSchema>;

export function releaseView(r: Release, createdByEmail: string | null = null, apps: string[] = []): ReleaseView {
  return {
    tag: r.tag,
    notes: r.notes,
    status: r.status,
    phase: r.phase,
    failureReason: r.failureReason,
    image: r.image,
    digest: r.digest,
    sizeBytes: r.sizeBytes,
    snapshotId: r.snapshotId,
    entrypoint: r.entrypoint,
    cmd: r.cmd,
    workingDir: r.workingDir,
    env: r.env,
    ports: r.ports,
    createdBy: createdByEmail,
    apps,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}
