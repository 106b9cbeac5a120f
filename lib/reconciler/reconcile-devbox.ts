import { CoreV1Api, type V1Pod, type V1Secret } from "@kubernetes/client-node";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import type { DevboxOperation } from "@/db/schema/devbox-operations";
import { devboxes, type Devbox } from "@/db/schema/devboxes";
import { announceDevboxChange } from "@/lib/devboxes/change-bus";
import { buildPod, buildSecret, buildService, GENERATION_LABEL, ownerRefTo, secretName, serviceName } from "@/lib/devboxes/k8s-objects";
import { finishOperations, setLastError } from "@/lib/devboxes/queries";
import { generateSshKeys } from "@/lib/devboxes/ssh-keys";
import { deriveStatus, podFailure } from "@/lib/devboxes/status";
import { kubeConfig } from "@/lib/k8s/config";
import { isAlreadyExists, isNotFound, k8sMessage, k8sStatusCode, quotaDetail, refusalMessage } from "@/lib/k8s/errors";
import { crashPoint } from "@/lib/faults/crash-point";
import { deleteSnapshotImages } from "@/lib/snapshots/service";
import type { BeforePodRemoval } from "./pod-removal";
import { recoverDeadPod } from "./recover-dead-pod";

export type DevboxWithNamespace = Devbox & { namespace: string };

const START_KINDS = ["create", "start", "restart", "update", "recover"] as const;

const isFinished = (pod: V1Pod) => pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded";

/** Does this devbox need the reconciler, given what runs and what is pending? Pure. */
export function needsReconcile(d: Devbox, pods: V1Pod[], pending: DevboxOperation[]): boolean {
  if (pending.length > 0) return true;
  if (d.desiredState !== "running") return pods.length > 0 || d.desiredState === "deleted";
  const current = pods.filter((p) => p.metadata?.labels?.[GENERATION_LABEL] === String(d.podGeneration));
  const stale = pods.length - current.length;
  // No pod (it vanished, or a failed create to retry), an old one to replace, or one that died
  // without being asked to (node restart, power loss): its changes to save, a new one to start.
  return current.length === 0 || stale > 0 || current.some(isFinished);
}

/**
 * Takes one step towards the desired state. Safe to run again at any time (after a crash, on
 * another replica): every step checks what exists before acting, and Kubernetes rejects
 * duplicates by name.
 */
export async function reconcileDevbox(db: Database, d: DevboxWithNamespace, pods: V1Pod[], pending: DevboxOperation[], beforeRemoval: BeforePodRemoval): Promise<void> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const ns = d.namespace;
  const live = pods.filter((p) => !p.metadata?.deletionTimestamp);

  if (d.desiredState === "deleted") {
    await Promise.all([
      ...live.map((p) => ignoreMissing(core.deleteNamespacedPod({ name: p.metadata!.name!, namespace: ns, gracePeriodSeconds: 0 }))),
      ignoreMissing(core.deleteNamespacedService({ name: serviceName(d), namespace: ns })),
      ignoreMissing(core.deleteNamespacedSecret({ name: secretName(d), namespace: ns })),
    ]);
    if (pods.length === 0) {
      // Its snapshots go with it (the registry frees the blobs at its next garbage collection);
      // if the registry is unreachable, the deletion waits and retries.
      await deleteSnapshotImages(db, d);
      await finishOperations(db, d.id, ["delete"], { status: "succeeded" });
      await db.delete(devboxes).where(eq(devboxes.id, d.id));
      announceDevboxChange(d.id);
    }
    return;
  }

  if (d.desiredState === "stopped") {
    for (const pod of live) await removePod(core, d, pod, beforeRemoval);
    if (pods.length === 0) await finishOperations(db, d.id, ["stop"], { status: "succeeded" });
    return;
  }

  // Running: old generations go first (their state must be saved before the new Pod starts).
  const stale = pods.filter((p) => p.metadata?.labels?.[GENERATION_LABEL] !== String(d.podGeneration));
  for (const pod of stale) if (!pod.metadata?.deletionTimestamp) await removePod(core, d, pod, beforeRemoval);
  if (stale.length > 0) return;

  const current = pods.find((p) => p.metadata?.labels?.[GENERATION_LABEL] === String(d.podGeneration));
  if (!current) {
    await createObjects(db, core, d);
    return;
  }
  // lastError is about an earlier attempt: judge the Pod on its own.
  const status = deriveStatus({ ...d, lastError: null }, pods);
  if (status.state === "Running") {
    if (d.lastError) await setLastError(db, d.id, null);
    await finishOperations(db, d.id, [...START_KINDS], { status: "succeeded" });
  } else if (isFinished(current) && pending.length > 0) {
    // With restartPolicy Never a finished Pod never runs again: the request failed. Waiting
    // problems (unschedulable, image pull back-off) can clear up, so they show Error but stay pending.
    await finishOperations(db, d.id, [...START_KINDS], { status: "failed", error: podFailure(current) ?? "The devbox's container ended." });
  } else if (isFinished(current) && pending.length === 0) {
    await recoverDeadPod(db, d, current, beforeRemoval);
  }
}

async function removePod(core: CoreV1Api, d: DevboxWithNamespace, pod: V1Pod, beforeRemoval: BeforePodRemoval): Promise<void> {
  await beforeRemoval(d, pod);
  crashPoint("removal:before-pod-delete");
  await ignoreMissing(core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: d.namespace }));
  crashPoint("removal:after-pod-delete");
}

async function createObjects(db: Database, core: CoreV1Api, d: DevboxWithNamespace): Promise<void> {
  const ns = d.namespace;
  try {
    const secret = await ensureSecret(core, d);
    crashPoint("create:after-secret");
    const owner = ownerRefTo(secret);
    const service = buildService(d, owner);
    if (service) {
      try {
        await core.createNamespacedService({ namespace: ns, body: service });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        // Ports may have changed with an update: replace, keeping the allocated ClusterIP.
        const existing = await core.readNamespacedService({ name: serviceName(d), namespace: ns });
        existing.spec!.ports = service.spec!.ports;
        await core.replaceNamespacedService({ name: serviceName(d), namespace: ns, body: existing });
      }
    } else if (d.podGeneration > 1) {
      // An update may have removed the last port; a fresh devbox without ports never had a Service.
      await ignoreMissing(core.deleteNamespacedService({ name: serviceName(d), namespace: ns }));
    }
    try {
      await core.createNamespacedPod({ namespace: ns, body: buildPod(d, owner) });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    if (d.lastError) await setLastError(db, d.id, null);
  } catch (err) {
    const code = k8sStatusCode(err);
    const detail = k8sMessage(err);
    const message =
      code === 403 && /exceeded quota/i.test(detail)
        ? `Team quota exceeded: ${quotaDetail(detail)}`
        : code === 404 && /namespaces/.test(detail)
          ? "The team's namespace is missing in Kubernetes."
          : code === undefined || code >= 500
            ? undefined // Transient (unreachable, apiserver busy): retry quietly.
            : refusalMessage("run the devbox", err);
    if (message) {
      await setLastError(db, d.id, message);
      await finishOperations(db, d.id, [...START_KINDS], { status: "failed", error: message });
      announceDevboxChange(d.id);
    }
    throw err;
  }
}

/** The devbox's anchor Secret: created on first start (one request), read back afterwards. */
async function ensureSecret(core: CoreV1Api, d: DevboxWithNamespace): Promise<V1Secret> {
  if (d.podGeneration > 1 || d.desiredState !== "running") {
    try {
      return await core.readNamespacedSecret({ name: secretName(d), namespace: d.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  try {
    return await core.createNamespacedSecret({ namespace: d.namespace, body: buildSecret(d, generateSshKeys(`devbox-${d.name}`)) });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    return core.readNamespacedSecret({ name: secretName(d), namespace: d.namespace });
  }
}

async function ignoreMissing(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
