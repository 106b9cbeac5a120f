import type { V1Pod } from "@kubernetes/client-node";
import type { Devbox } from "@/db/schema/devboxes";
import type { OperationKind } from "@/db/schema/devbox-operations";
import { withoutInfrastructure } from "@/lib/k8s/scrub";
import { formatBytes } from "@/lib/snapshots/format";
import { GENERATION_LABEL } from "./k8s-objects";

export const DEVBOX_STATES = ["Creating", "Starting", "Running", "Stopping", "Stopped", "Restarting", "Error", "Deleting"] as const;
export type DevboxState = (typeof DEVBOX_STATES)[number];

export interface DevboxStatus {
  state: DevboxState;
  /** Why, in words, for Error (and for slow states when Kubernetes says something useful). */
  reason?: string;
  podName?: string;
  podIP?: string;
  /** When its container started (ISO), while Running. */
  runningSince?: string;
  /** A snapshot being taken (or the last attempt's failure), from lib/snapshots/progress. */
  commit?: CommitInfo;
}

export interface CommitInfo {
  phase: string;
  bytes: number;
  startedAt: number;
  trigger: string;
  error?: string;
}

type StatusInput = Pick<Devbox, "desiredState" | "podGeneration" | "lastError">;

/** What the user sees, from what they asked for (DB) and what runs (Pods). Pure: no I/O. */
export function deriveStatus(d: StatusInput, pods: V1Pod[], pendingOp?: OperationKind, commit?: CommitInfo): DevboxStatus {
  if (d.desiredState === "deleted") return { state: "Deleting" };
  // While a Pod waits for its snapshot, the reason is the commit's progress or why it failed.
  const saving = commit && { commit, reason: commit.error ?? `Saving changes: ${commit.phase}${commit.bytes ? ` (${formatBytes(commit.bytes)})` : ""}` };
  if (d.desiredState === "stopped")
    return pods.length > 0 ? { state: "Stopping", ...(saving ?? (d.lastError ? { reason: d.lastError } : {})) } : { state: "Stopped" };

  const current = pods.find((p) => p.metadata?.labels?.[GENERATION_LABEL] === String(d.podGeneration) && !p.metadata?.deletionTimestamp);
  const transitional: DevboxState = pendingOp === "create" ? "Creating" : pendingOp === "restart" || pendingOp === "update" ? "Restarting" : "Starting";
  // An old Pod still waiting for its snapshot: the restart/update is in progress, not failed.
  const oldPods = pods.filter((p) => p.metadata?.labels?.[GENERATION_LABEL] !== String(d.podGeneration) && !p.metadata?.deletionTimestamp);
  if (oldPods.length > 0 && !current) return { state: transitional, ...(saving ?? (d.lastError ? { reason: d.lastError } : {})) };
  if (d.lastError) return { state: "Error", reason: d.lastError };
  if (!current) return { state: transitional };

  const base = { podName: current.metadata?.name, podIP: current.status?.podIP };
  const failure = podFailure(current);
  if (failure) return { ...base, state: "Error", reason: failure };
  const cs = current.status?.containerStatuses?.[0];
  if (current.status?.phase === "Running" && cs?.state?.running && cs.ready !== false) {
    const since = cs.state.running.startedAt;
    return { ...base, state: "Running", ...(since ? { runningSince: new Date(since).toISOString() } : {}), ...(commit ? { commit } : {}) };
  }
  const waiting = cs?.state?.waiting?.reason;
  return { ...base, state: transitional, reason: waiting && waiting !== "ContainerCreating" ? waiting : undefined };
}

/** A reason the Pod will not become Running by itself, in words; undefined when there is none. */
export function podFailure(pod: V1Pod): string | undefined {
  const status = pod.status;
  // Kubernetes' own texts name registry and node addresses, Secrets and host paths: scrubbed.
  if (status?.reason === "Evicted") {
    const at = whenText(status.conditions?.find((c) => c.type === "DisruptionTarget")?.lastTransitionTime ?? status.containerStatuses?.[0]?.state?.terminated?.finishedAt);
    return `Evicted by the node${at}: ${withoutInfrastructure(status.message ?? "the node ran short of resources")}`;
  }
  const cs = status?.containerStatuses?.[0];
  const waiting = cs?.state?.waiting;
  if (waiting?.reason && ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"].includes(waiting.reason))
    return `Image pull failed: ${withoutInfrastructure(waiting.message ?? waiting.reason)}`;
  if (waiting?.reason && ["CreateContainerConfigError", "CreateContainerError", "RunContainerError"].includes(waiting.reason))
    return `The container could not start: ${withoutInfrastructure(waiting.message ?? waiting.reason)}`;
  const terminated = cs?.state?.terminated ?? cs?.lastState?.terminated;
  if (terminated?.reason === "OOMKilled")
    return `Out of memory${whenText(terminated.finishedAt)}: the devbox's processes used more than its memory limit, so the kernel killed its main process (OOMKilled). Give it more memory, or run less at once.`;
  if (terminated) return `The devbox's main process exited with code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ""}.`;
  if (status?.phase === "Failed") return status.message ? withoutInfrastructure(status.message) : "The Pod failed.";
  const unschedulable = status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable");
  if (unschedulable) return `Unschedulable: ${withoutInfrastructure(unschedulable.message ?? "no node has room for it")}`;
  return undefined;
}

/** " at 10:42 UTC" (" on 2026-12-05 at 10:42 UTC" when not today), or "" without a time. */
function whenText(t: Date | string | undefined, now = new Date()): string {
  if (!t) return "";
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return "";
  const iso = d.toISOString();
  const day = iso.slice(0, 10) === now.toISOString().slice(0, 10) ? "" : ` on ${iso.slice(0, 10)}`;
  return `${day} at ${iso.slice(11, 16)} UTC`;
}
