import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Devbox } from "@/db/schema/devboxes";
import { needsReconcile } from "./reconcile-devbox";
import { deathCause } from "./recover-dead-pod";

const pod = (generation: number, phase: string, terminated?: { exitCode: number; reason?: string }, podReason?: string): V1Pod => ({
  metadata: { name: `box-${generation}`, labels: { "devbox.dev/generation": String(generation) } },
  status: {
    phase,
    reason: podReason,
    containerStatuses: [{ name: "devbox", image: "i", imageID: "", ready: false, restartCount: 0, state: terminated ? { terminated } : { running: {} } }],
  },
});
const running = { desiredState: "running", podGeneration: 3 } as Devbox;

describe("a devbox whose container died on its own", () => {
  it("needs the reconciler (to save it and start a new Pod), while a running one does not", () => {
    expect(needsReconcile(running, [pod(3, "Running")], [])).toBe(false);
    expect(needsReconcile(running, [pod(3, "Failed", { exitCode: 137, reason: "ContainerStatusUnknown" })], [])).toBe(true);
    expect(needsReconcile(running, [pod(3, "Succeeded", { exitCode: 0 })], [])).toBe(true);
    // A stopped devbox's exited Pod is the stop path's business, not recovery's.
    expect(needsReconcile({ ...running, desiredState: "stopped" } as Devbox, [], [])).toBe(false);
  });

  it("says why in words", () => {
    expect(deathCause(pod(1, "Failed", { exitCode: 137, reason: "ContainerStatusUnknown" }))).toBe("the node restarted");
    expect(deathCause(pod(1, "Failed", { exitCode: 137, reason: "OOMKilled" }))).toBe("running out of memory");
    expect(deathCause(pod(1, "Failed", { exitCode: 143, reason: "Error" }))).toMatch(/killed/);
    expect(deathCause(pod(1, "Failed", { exitCode: 2, reason: "Error" }))).toBe("its main process exited with code 2");
    expect(deathCause(pod(1, "Failed", undefined, "NodeShutdown"))).toBe("the node restarted");
    // containerd found the task gone with its shim (power loss, then the cluster started again)
    expect(deathCause(pod(1, "Failed", { exitCode: 255, reason: "Unknown" }))).toBe("the node restarted");
    // seen after a simulated power loss: the shim's exit recorded as a plain error
    expect(deathCause(pod(1, "Failed", { exitCode: 255, reason: "Error" }))).toBe("the node restarted");
  });

  it("names a `devbox-cluster down` as the cause when the container ended after it began", () => {
    const stopped = (finishedAt: string) => {
      const p = pod(1, "Failed", { exitCode: 143, reason: "Error" });
      p.metadata!.annotations = { "devbox.dev/cluster-stopped-at": "2026-12-06T05:40:00Z" };
      p.status!.containerStatuses![0].state!.terminated!.finishedAt = new Date(finishedAt);
      return p;
    };
    expect(deathCause(stopped("2026-12-06T05:40:08Z"))).toBe("the cluster was stopped");
    // an annotation left by an earlier down does not explain a later death
    expect(deathCause(stopped("2026-12-06T07:00:00Z"))).toMatch(/killed/);
  });
});
