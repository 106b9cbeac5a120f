import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { GENERATION_LABEL } from "./k8s-objects";
import { deriveStatus } from "./status";

const running = { desiredState: "running" as const, podGeneration: 2, lastError: null };

function pod(gen: number, status: V1Pod["status"], deleting = false): V1Pod {
  return {
    metadata: { name: `box-${gen}`, labels: { [GENERATION_LABEL]: String(gen) }, ...(deleting ? { deletionTimestamp: new Date() } : {}) },
    status,
  };
}
const runningStatus: V1Pod["status"] = {
  phase: "Running",
  podIP: "10.88.0.5",
  containerStatuses: [{ name: "devbox", image: "x", imageID: "", ready: true, restartCount: 0, state: { running: {} } }],
};
const waiting = (reason: string, message = "details"): V1Pod["status"] => ({
  phase: "Pending",
  containerStatuses: [{ name: "devbox", image: "x", imageID: "", ready: false, restartCount: 0, state: { waiting: { reason, message } } }],
});

describe("deriveStatus", () => {
  it("is Running only when the current generation's container runs", () => {
    expect(deriveStatus(running, [pod(2, runningStatus)])).toMatchObject({ state: "Running", podName: "box-2", podIP: "10.88.0.5" });
    // An old generation running does not count: a restart is under way.
    expect(deriveStatus(running, [pod(1, runningStatus)], "restart").state).toBe("Restarting");
  });

  it("says since when the container runs (the pages show how long it has run)", () => {
    const since = new Date("2026-01-01T10:00:00Z");
    const status = { ...runningStatus, containerStatuses: [{ ...runningStatus.containerStatuses![0], state: { running: { startedAt: since } } }] };
    expect(deriveStatus(running, [pod(2, status)]).runningSince).toBe("2026-01-01T10:00:00.000Z");
    expect(deriveStatus(running, [pod(2, waiting("ContainerCreating"))], "start").runningSince).toBeUndefined();
  });

  it("names the transition by the pending request", () => {
    expect(deriveStatus(running, [], "create").state).toBe("Creating");
    expect(deriveStatus(running, [], "start").state).toBe("Starting");
    expect(deriveStatus(running, [], "update").state).toBe("Restarting");
    expect(deriveStatus(running, [pod(2, waiting("ContainerCreating"))], "create")).toEqual({ state: "Creating", podName: "box-2", podIP: undefined, reason: undefined });
  });

  it("stopping while a pod remains, stopped when none; deleting wins", () => {
    const stopped = { ...running, desiredState: "stopped" as const };
    expect(deriveStatus(stopped, [pod(2, runningStatus, true)]).state).toBe("Stopping");
    expect(deriveStatus(stopped, []).state).toBe("Stopped");
    expect(deriveStatus({ ...running, desiredState: "deleted" }, [pod(2, runningStatus)]).state).toBe("Deleting");
  });

  it("explains errors in words", () => {
    expect(deriveStatus(running, [pod(2, waiting("ImagePullBackOff", "not found"))])).toMatchObject({ state: "Error", reason: "Image pull failed: not found" });
    const oom: V1Pod["status"] = {
      phase: "Failed",
      containerStatuses: [{ name: "devbox", image: "x", imageID: "", ready: false, restartCount: 0, state: { terminated: { exitCode: 137, reason: "OOMKilled" } } }],
    };
    expect(deriveStatus(running, [pod(2, oom)]).reason).toMatch(/OOMKilled/);
    expect(deriveStatus(running, [pod(2, { phase: "Failed", reason: "Evicted", message: "low on ephemeral-storage" })]).reason).toBe(
      "Evicted by the node: low on ephemeral-storage",
    );
    const unschedulable: V1Pod["status"] = {
      phase: "Pending",
      conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/1 nodes: Insufficient memory" }],
    };
    expect(deriveStatus(running, [pod(2, unschedulable)]).reason).toBe("Unschedulable: 0/1 nodes: Insufficient memory");
    expect(deriveStatus({ ...running, lastError: "Team quota exceeded: limits.memory" }, [])).toEqual({ state: "Error", reason: "Team quota exceeded: limits.memory" });
  });
});

describe("an OOM kill or an eviction says when it happened", () => {
  it("names the time (and the day when it was not today) in plain words", () => {
    const today = new Date().toISOString().slice(0, 10);
    const oom: V1Pod["status"] = {
      phase: "Failed",
      containerStatuses: [
        { name: "devbox", image: "x", imageID: "", ready: false, restartCount: 0, state: { terminated: { exitCode: 137, reason: "OOMKilled", finishedAt: new Date(`${today}T10:42:07Z`) } } },
      ],
    };
    expect(deriveStatus(running, [pod(2, oom)]).reason).toBe(
      "Out of memory at 10:42 UTC: the devbox's processes used more than its memory limit, so the kernel killed its main process (OOMKilled). Give it more memory, or run less at once.",
    );
    const evicted: V1Pod["status"] = {
      phase: "Failed",
      reason: "Evicted",
      message: "Pod ephemeral local storage usage exceeds the total limit of containers 1Gi.",
      conditions: [{ type: "DisruptionTarget", status: "True", reason: "TerminationByKubelet", lastTransitionTime: new Date("2025-01-02T03:04:05Z") }],
    };
    expect(deriveStatus(running, [pod(2, evicted)]).reason).toBe(
      "Evicted by the node on 2025-01-02 at 03:04 UTC: Pod ephemeral local storage usage exceeds the total limit of containers 1Gi.",
    );
  });
});

describe("deriveStatus while a snapshot is taken", () => {
  const commit = { phase: "diffing", bytes: 3 * 1024 * 1024, startedAt: 1, trigger: "stop" };
  it("Stopping shows the commit's progress, then its error", () => {
    const stopped = { ...running, desiredState: "stopped" as const };
    expect(deriveStatus(stopped, [pod(2, runningStatus)], "stop", commit)).toMatchObject({ state: "Stopping", reason: "Saving changes: diffing (3.0 MB)", commit });
    const failed = { ...commit, phase: "error", error: "Saving the devbox's changes failed: agent unreachable" };
    expect(deriveStatus(stopped, [pod(2, runningStatus)], "stop", failed)).toMatchObject({ state: "Stopping", reason: failed.error });
  });
  it("falls back to the stored error when this process has no progress (another replica, a restart)", () => {
    const stopped = { ...running, desiredState: "stopped" as const, lastError: "Saving failed: x" };
    expect(deriveStatus(stopped, [pod(2, runningStatus)], "stop")).toMatchObject({ state: "Stopping", reason: "Saving failed: x" });
    expect(deriveStatus(stopped, [])).toEqual({ state: "Stopped" });
  });
  it("a restart waiting for the old Pod's snapshot is Restarting with the reason, not Error", () => {
    expect(deriveStatus({ ...running, lastError: "Saving failed: x" }, [pod(1, runningStatus)], "restart")).toMatchObject({ state: "Restarting", reason: "Saving failed: x" });
    expect(deriveStatus(running, [pod(1, runningStatus)], "update", commit)).toMatchObject({ state: "Restarting", commit });
  });
  it("an explicit commit keeps a running devbox Running, with the progress attached", () => {
    expect(deriveStatus(running, [pod(2, runningStatus)], undefined, { ...commit, trigger: "commit" })).toMatchObject({ state: "Running", commit: { trigger: "commit" } });
  });
});
