import { CoreV1Api } from "@kubernetes/client-node";
import type { Devbox } from "@/db/schema/devboxes";
import { kubeConfig } from "@/lib/k8s/config";
import { podName } from "./k8s-objects";

export interface EventView {
  type: string;
  reason: string;
  message: string;
  at: string;
  count: number;
}

/** Kubernetes events of the devbox's current Pod, newest first. Empty when the cluster is unreachable. */
export async function devboxEvents(namespace: string, d: Devbox): Promise<EventView[]> {
  try {
    const list = await kubeConfig()
      .makeApiClient(CoreV1Api)
      .listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${podName(d)}`, limit: 50 });
    return list.items
      .map((e) => ({
        type: e.type ?? "Normal",
        reason: e.reason ?? "",
        message: e.message ?? "",
        at: new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? Date.now()).toISOString(),
        count: e.count ?? 1,
      }))
      .sort((a, b) => b.at.localeCompare(a.at));
  } catch {
    return [];
  }
}
