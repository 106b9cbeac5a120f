import fs from "node:fs";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { AGENT_NAMESPACE } from "@/lib/snapshots/agent-client";

/** The node agent's process(es) on this machine: found by executable, never by a pattern in argv. */
export function agentPids(): number[] {
  const pids: number[] = [];
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (fs.readlinkSync(`/proc/${e}/exe`).endsWith("/devbox-agent")) pids.push(Number(e));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}

/**
 * SIGKILLs the agent process (a crash: no graceful shutdown, a frozen container stays frozen
 * until the next agent thaws it); kubelet restarts it in place. With `replacePod` the crashed Pod
 * is deleted too so the DaemonSet replaces it at once: killed repeatedly in place, kubelet's
 * crash-loop back-off would grow to 5 minutes (the chaos soak kills it many times).
 */
export async function crashAgent(admin: KubeConfig, opts: { replacePod: boolean }): Promise<number> {
  const pids = agentPids();
  for (const pid of pids) process.kill(pid, "SIGKILL");
  if (!opts.replacePod) return pids.length;
  const core = admin.makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace: AGENT_NAMESPACE, labelSelector: "app.kubernetes.io/name=devbox-agent" });
  for (const p of pods.items) await core.deleteNamespacedPod({ name: p.metadata!.name!, namespace: AGENT_NAMESPACE, gracePeriodSeconds: 0 }).catch(() => {});
  return pids.length;
}
