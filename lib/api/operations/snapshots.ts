import { pageOf, PageQuery } from "@/lib/api/pagination";
import { DevboxSchema } from "@/lib/devboxes/schemas";
import { ForkBody, SnapshotSchema } from "@/lib/snapshots/schemas";
import type { Operation } from "../operation";

export const SnapshotPage = pageOf(SnapshotSchema, "SnapshotPage");

export const snapshotOperations: Operation[] = [
  {
    method: "GET",
    path: "/teams/{team}/devboxes/{name}/snapshots",
    tag: "Snapshots",
    operationId: "listSnapshots",
    summary: "List snapshots",
    description: "The devbox's snapshots, newest first.",
    access: { team: "viewer" },
    query: PageQuery,
    responses: { 200: { description: "A page of snapshots.", schema: SnapshotPage } },
  },
  {
    method: "POST",
    path: "/teams/{team}/devboxes/{name}/snapshots",
    tag: "Snapshots",
    operationId: "commitDevbox",
    summary: "Commit (take a snapshot now)",
    description: "Commits the running container; answers once the registry has the snapshot. The devbox must be running.",
    access: { team: "developer" },
    responses: { 201: { description: "The snapshot.", schema: SnapshotSchema } },
    errors: ["conflict", "quota_exceeded", "unavailable"],
  },
  {
    method: "POST",
    path: "/teams/{team}/devboxes/{name}/snapshots/{id}/starts",
    tag: "Snapshots",
    operationId: "startFromSnapshot",
    summary: "Start from a snapshot",
    description: "The devbox must be stopped.",
    access: { team: "developer" },
    responses: { 202: { description: "Starting from the snapshot.", schema: DevboxSchema } },
    errors: ["conflict"],
  },
  {
    method: "POST",
    path: "/teams/{team}/devboxes/{name}/snapshots/{id}/forks",
    tag: "Snapshots",
    operationId: "forkSnapshot",
    summary: "Fork a new devbox from a snapshot",
    access: { team: "developer" },
    body: ForkBody,
    responses: { 201: { description: "The new devbox.", schema: DevboxSchema } },
    errors: ["conflict", "quota_exceeded"],
  },
];
