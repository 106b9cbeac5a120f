import { CoreV1Api } from "@kubernetes/client-node";
import type { Devbox } from "@/db/schema/devboxes";
import { AppError } from "@/lib/errors";
import { kubeConfig } from "@/lib/k8s/config";
import { isNotFound, k8sMessage, k8sStatusCode } from "@/lib/k8s/errors";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { CONTAINER_NAME, podName } from "./k8s-objects";

export const LOG_TAIL_MAX = 5000;

/**
 * The last lines of the devbox container's output (its main process, what `kubectl logs`
 * shows). Only a devbox whose current Pod exists has logs: a stopped one answers conflict.
 */
export async function devboxLogs(namespace: string, devbox: Devbox, tailLines: number): Promise<string> {
  const pod = podName(devbox);
  if (!devboxPodCache().podsOf(devbox.id).some((p) => p.metadata?.name === pod))
    throw new AppError("conflict", `${devbox.name} has no running Pod, so no logs: start it first.`);
  try {
    return await kubeConfig().makeApiClient(CoreV1Api).readNamespacedPodLog({ name: pod, namespace, container: CONTAINER_NAME, tailLines, timestamps: false });
  } catch (err) {
    if (isNotFound(err)) throw new AppError("conflict", `${devbox.name} has no running Pod, so no logs: start it first.`);
    // The kubelet answers 400 for a container not started yet (being created, or a Pod stopped
    // before it ran): a state of the devbox, not a failure.
    if (k8sStatusCode(err) === 400 && /waiting to start|ContainerCreating|PodInitializing/i.test(k8sMessage(err)))
      throw new AppError("conflict", `${devbox.name}'s container has not started yet, so no logs: try again once it runs.`);
    throw new AppError("unavailable", "The devbox's logs cannot be read right now: try again.", { cause: err });
  }
}
