import { CoreV1Api } from "@kubernetes/client-node";
import type { Devbox } from "@/db/schema/devboxes";
import { AppError } from "@/lib/errors";
import { kubeConfig } from "@/lib/k8s/config";
import { isNotFound, k8sStatusCode } from "@/lib/k8s/errors";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { CONTAINER_NAME, podName } from "./k8s-objects";

export const LOG_TAIL_MAX = 5000;

/**
 * The last lines of the devbox container's output (its main process, what `kubectl logs`
 * shows). Only a devbox whose current Pod exists has logs: a stopped one answers conflict.
 */
export async function devboxLogs(namespace: string, devbox: Devbox, tailLines: number): Promise<string> {
  const pod = devboxPodCache().podsOf(devbox.id).find((p) => p.metadata?.name === podName(devbox));
  if (!pod) throw noPod(devbox);
  // A container that never ran (being created, or a Pod stopped before it started) has no output yet.
  const cs = pod.status?.containerStatuses?.find((c) => c.name === CONTAINER_NAME);
  if (!cs?.state?.running && !cs?.state?.terminated && !cs?.lastState?.terminated) throw notStarted(devbox);
  try {
    return await kubeConfig().makeApiClient(CoreV1Api).readNamespacedPodLog({ name: pod.metadata!.name!, namespace, container: CONTAINER_NAME, tailLines, timestamps: false });
  } catch (err) {
    if (isNotFound(err)) throw noPod(devbox);
    // The kubelet's 400: the container is not started (the cache had not seen it yet).
    if (k8sStatusCode(err) === 400) throw notStarted(devbox);
    throw new AppError("unavailable", "The devbox's logs cannot be read right now: try again.", { cause: err });
  }
}

const noPod = (d: Devbox) => new AppError("conflict", `${d.name} has no running Pod, so no logs: start it first.`);
const notStarted = (d: Devbox) => new AppError("conflict", `${d.name}'s container has not started yet, so no logs: try again once it runs.`);
