import { CoreV1Api } from "@kubernetes/client-node";
import type { Devbox } from "@/db/schema/devboxes";
import { kubeConfig } from "@/lib/k8s/config";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { withoutInfrastructure } from "@/lib/k8s/scrub";
import { explainEvent } from "./event-words";
import { GENERATION_LABEL, podName } from "./k8s-objects";

export interface EventView {
  type: string;
  reason: string;
  message: string;
  at: string;
  count: number;
  /** What a known reason means, in plain words (./event-words.ts). */
  explanation?: string;
}

/**
 * Kubernetes events of the devbox's current Pod, newest first; by uid too, so the events of an
 * earlier Pod of the same name (a deleted devbox's, re-created) are not shown. Empty when the
 * cluster is unreachable.
 */
export async function devboxEvents(namespace: string, d: Devbox): Promise<EventView[]> {
  const uid = devboxPodCache()
    .podsOf(d.id)
    .find((p) => p.metadata?.labels?.[GENERATION_LABEL] === String(d.podGeneration))?.metadata?.uid;
  try {
    const list = await kubeConfig()
      .makeApiClient(CoreV1Api)
      .listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${podName(d)}${uid ? `,involvedObject.uid=${uid}` : ""}`, limit: 50 });
    return list.items
      .map((e) => ({
        type: e.type ?? "Normal",
        reason: e.reason ?? "",
        message: withoutInfrastructure(e.message ?? ""), // read by team members: no addresses, Secrets, paths
        at: new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? Date.now()).toISOString(),
        count: e.count ?? 1,
        ...explainEvent(e.reason ?? ""),
      }))
      .sort((a, b) => b.at.localeCompare(a.at));
  } catch {
    return [];
  }
}
