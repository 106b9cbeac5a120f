import type { V1Deployment, V1Pod } from "@kubernetes/client-node";
import type { z } from "zod";
import type { App } from "@/db/schema/apps";
import type { Release } from "@/db/schema/releases";
import { APP_CONTAINER, APP_RELEASE_LABEL } from "./k8s-objects";
import type { AppSchema, ReplicaSchema } from "./schemas";

/** The API's app and replica (lib/apps/schemas.ts, which the OpenAPI document shows). */
export type ReplicaView = z.infer<typeof ReplicaSchema>;
export type AppView = z.infer<typeof AppSchema>;

function replica(p: V1Pod): ReplicaView {
  const cs = p.status?.containerStatuses?.find((c) => c.name === APP_CONTAINER);
  const waiting = cs?.state?.waiting?.reason ?? cs?.state?.terminated?.reason ?? null;
  return {
    pod: p.metadata!.name!,
    phase: p.status?.phase ?? "Pending",
    ready: !!cs?.ready,
    restarts: cs?.restartCount ?? 0,
    releaseId: p.metadata?.labels?.[APP_RELEASE_LABEL] ?? null,
    reason: waiting,
    startedAt: cs?.state?.running?.startedAt ? new Date(cs.state.running.startedAt).toISOString() : null,
    terminating: !!p.metadata?.deletionTimestamp,
  };
}

/** What the user sees of an app: the row for what was asked, the cluster (informer) for what runs. */
export function appView(a: App, current: Release | undefined, previous: Release | undefined, dep: V1Deployment | undefined, pods: V1Pod[]): AppView {
  const s = dep?.status;
  const ready = s?.readyReplicas ?? 0;
  const updated = s?.updatedReplicas ?? 0;
  const available = s?.availableReplicas ?? 0;
  const observed = (s?.observedGeneration ?? 0) >= (dep?.metadata?.generation ?? 0);
  const failing = s?.conditions?.find((c) => (c.type === "Progressing" && c.status === "False") || (c.type === "ReplicaFailure" && c.status === "True"));
  let state: AppView["status"]["state"];
  if (!dep) state = "Missing";
  else if (a.replicas === 0 && pods.length === 0) state = "Stopped";
  else if (failing) state = "Degraded";
  else if (observed && updated === a.replicas && ready === a.replicas && (s?.replicas ?? 0) === a.replicas) state = a.replicas === 0 ? "Stopped" : "Ready";
  else state = "Progressing";
  return {
    name: a.name,
    release: current ? { tag: current.tag, devboxId: current.devboxId, id: current.id } : null,
    previousRelease: previous ? { tag: previous.tag, id: previous.id } : null,
    replicas: a.replicas,
    cpuMillis: a.cpuMillis,
    memoryMiB: a.memoryMiB,
    env: a.env,
    command: a.command ?? null,
    status: { state, ready, updated, available, message: failing?.message ?? null },
    pods: pods.map(replica).sort((x, y) => x.pod.localeCompare(y.pod)),
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}
