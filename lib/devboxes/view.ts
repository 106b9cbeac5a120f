import type { Database } from "@/db/client";
import type { DevboxOperation } from "@/db/schema/devbox-operations";
import type { Devbox } from "@/db/schema/devboxes";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { commitProgressOf } from "@/lib/snapshots/progress";
import { listTeamDevboxes, pendingOperations } from "./queries";
import { deriveStatus, type DevboxStatus } from "./status";

/** What pages and the API show of a devbox: its spec and its live status. JSON-safe. */
export interface DevboxView {
  id: string;
  name: string;
  image: string;
  cpuMillis: number;
  memoryMiB: number;
  diskMiB: number;
  env: { name: string; value: string }[];
  ports: { port: number; name: string }[];
  desiredState: Devbox["desiredState"];
  podGeneration: number;
  status: DevboxStatus;
  /** The newest request still under way (start, stop…): pages refresh their history when it ends. */
  pendingOperation: DevboxOperation["kind"] | null;
  createdAt: string;
}

/** Status comes from the in-process Pod cache: no Kubernetes request per view. */
export function devboxView(d: Devbox, pending?: DevboxOperation[]): DevboxView {
  const pods = devboxPodCache().podsOf(d.id);
  return {
    id: d.id,
    name: d.name,
    image: d.image,
    cpuMillis: d.cpuMillis,
    memoryMiB: d.memoryMiB,
    diskMiB: d.diskMiB,
    env: d.env,
    ports: d.ports,
    desiredState: d.desiredState,
    podGeneration: d.podGeneration,
    status: deriveStatus(d, pods, pending?.[0]?.kind, commitProgressOf(d.id)),
    pendingOperation: pending?.[0]?.kind ?? null,
    createdAt: d.createdAt.toISOString(),
  };
}

/** The team's devboxes as views: one DB query for rows, one for pending requests, none to Kubernetes. */
export async function loadTeamDevboxViews(db: Database, teamId: string): Promise<DevboxView[]> {
  const all = await listTeamDevboxes(db, teamId);
  const pending = await pendingOperations(db, all.map((d) => d.id));
  return all.map((d) => devboxView(d, pending.get(d.id)));
}
