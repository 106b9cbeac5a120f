import type { Database } from "@/db/client";
import { announceDevboxChange } from "@/lib/devboxes/change-bus";
import { kubeConfig } from "@/lib/k8s/config";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { Reconciler } from "@/lib/reconciler/controller";
import { commitBeforeRemoval } from "@/lib/snapshots/commit-before-removal";
import { schedulePeriodicSnapshots } from "@/lib/snapshots/periodic";
import { scheduleRegistryGc } from "@/lib/snapshots/registry-gc";
import { refreshTeamNamespaces } from "@/lib/teams/refresh-namespaces";
import { seedBuiltinTemplates } from "@/lib/templates/queries";

/**
 * The long-lived parts of the server process: the Pod watch and the reconciler. Started once by
 * server.ts; if Kubernetes is unreachable the watch keeps retrying and the UI shows a banner.
 */
export async function startControlPlane(db: Database): Promise<{ stop(): Promise<void> }> {
  await seedBuiltinTemplates(db);
  try {
    kubeConfig();
  } catch (err) {
    console.error(`[devbox] ${err instanceof Error ? err.message : err} Devboxes are unavailable until it is fixed.`);
    return { stop: async () => {} };
  }
  const pods = devboxPodCache();
  pods.on("change", (devboxId: string) => announceDevboxChange(devboxId));
  pods.start();
  const reconciler = new Reconciler(db, pods, commitBeforeRemoval(db));
  // Not awaited: the dashboard serves pages while the cluster is still unreachable.
  void reconciler.start().catch((err) => console.error("[devbox] reconciler failed to start:", err));
  // Not awaited either: older team namespaces get their RoleBinding and network policies.
  void refreshTeamNamespaces(db).catch((err) => console.error("[devbox] updating team namespaces failed:", err));
  const stopGc = scheduleRegistryGc(db);
  const stopPeriodic = schedulePeriodicSnapshots(db, () => reconciler.isLeader);
  return {
    async stop() {
      stopGc();
      stopPeriodic();
      await reconciler.stop();
      await pods.stop();
    },
  };
}
