import { CoreV1Api } from "@kubernetes/client-node";
import type { App } from "@/db/schema/apps";
import type { EventView } from "@/lib/devboxes/k8s-events";
import { kubeConfig } from "@/lib/k8s/config";
import { withoutInfrastructure } from "@/lib/k8s/scrub";
import { appCache } from "./app-cache";
import { deploymentName } from "./k8s-objects";

/** Events of the app's Deployment, its ReplicaSets and Pods (by name: `<app>`, `<app>-<hash>`, `<app>-<hash>-<id>`), newest first. */
export async function appEvents(namespace: string, a: App): Promise<EventView[]> {
  const dep = deploymentName(a);
  const podNames = new Set(appCache().podsOf(a.id).map((p) => p.metadata?.name));
  const replicaSet = new RegExp(`^${dep}-[a-z0-9]+$`);
  const pod = new RegExp(`^${dep}-[a-z0-9]+-[a-z0-9]{5}$`);
  try {
    const list = await kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace, limit: 500 });
    return list.items
      .filter((e) => {
        const n = e.involvedObject.name ?? "";
        const kind = e.involvedObject.kind;
        return (kind === "Deployment" && n === dep) || (kind === "ReplicaSet" && replicaSet.test(n)) || (kind === "Pod" && (podNames.has(n) || pod.test(n)));
      })
      .map((e) => ({
        type: e.type ?? "Normal",
        reason: e.reason ?? "",
        message: withoutInfrastructure(e.message ?? ""),
        at: new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? Date.now()).toISOString(),
        count: e.count ?? 1,
      }))
      .sort((x, y) => y.at.localeCompare(x.at))
      .slice(0, 50);
  } catch {
    return [];
  }
}
