import type { Release } from "@/db/schema/releases";

export interface ReleaseView {
  tag: string;
  notes: string;
  status: Release["status"];
  phase: string | null;
  failureReason: string | null;
  image: string | null;
  digest: string | null;
  sizeBytes: number | null;
  snapshotId: string | null;
  entrypoint: string[];
  cmd: string[];
  workingDir: string;
  env: { name: string; value: string }[];
  ports: { port: number; name: string }[];
  createdBy: string | null;
  apps: string[];
  createdAt: string;
  finishedAt: string | null;
}

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
