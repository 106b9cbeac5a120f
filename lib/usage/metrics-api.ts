import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { DEVBOX_ID_LABEL } from "@/lib/devboxes/k8s-objects";
import { kubeConfig } from "@/lib/k8s/config";
import { parseBytes, parseCpuMillis } from "@/lib/k8s/quantity";
import { KubeletSummarySource } from "./kubelet-summary";
import type { PodReading, PodRef, UsageSource } from "./source";

/** The part of a metrics.k8s.io/v1beta1 PodMetrics this reads (k8s.io/metrics). */
export interface PodMetrics {
  metadata: { name?: string; namespace?: string };
  /** When metrics-server measured it (the end of `window`). */
  timestamp?: string;
  containers?: { name: string; usage?: { cpu?: string; memory?: string } }[];
}

export interface CpuMemory {
  at: Date;
  /** CPU over metrics-server's window (its rate of the CPU-time counter), millicores. */
  cpuMillis: number;
  /** Working set, bytes. */
  memoryBytes: number;
}

/** CPU and memory of one Pod: the sum over its containers. Pure. */
export function cpuMemoryFromPodMetrics(m: PodMetrics, fallbackAt = new Date()): CpuMemory {
  let cpuMillis = 0;
  let memoryBytes = 0;
  for (const c of m.containers ?? []) {
    cpuMillis += c.usage?.cpu ? parseCpuMillis(c.usage.cpu) : 0;
    memoryBytes += c.usage?.memory ? parseBytes(c.usage.memory) : 0;
  }
  return { at: m.timestamp ? new Date(m.timestamp) : fallbackAt, cpuMillis, memoryBytes };
}

/**
 * One reading per Pod the Metrics API has figures for (`metrics`, by namespace/name): its CPU and
 * memory, with disk and network from the kubelet's reading of the same Pod (by uid), if any. Pure.
 */
export function combineReadings(pods: PodRef[], metrics: Map<string, CpuMemory>, kubelet: PodReading[]): PodReading[] {
  const fromKubelet = new Map(kubelet.map((r) => [r.uid, r]));
  const out: PodReading[] = [];
  for (const p of pods) {
    const m = metrics.get(`${p.namespace}/${p.name}`);
    if (!m) continue;
    const k = fromKubelet.get(p.uid);
    out.push({
      namespace: p.namespace,
      name: p.name,
      uid: p.uid,
      // the network counters' time when there are counters: rates are taken between two of those
      at: k?.at ?? m.at,
      cpuMillis: m.cpuMillis,
      memoryBytes: m.memoryBytes,
      diskBytes: k?.diskBytes ?? 0,
      rxBytes: k?.rxBytes,
      txBytes: k?.txBytes,
    });
  }
  return out;
}

/**
 * Readings with CPU and memory from the Metrics API (metrics-server: `kubectl top`'s source), and
 * disk (ephemeral storage) and network from the kubelet Summary API, which alone has them.
 *
 * Rights: `list` on `pods.metrics.k8s.io` in each team namespace (ClusterRole devbox:dashboard-team,
 * bound per team; one request per namespace with running devboxes), and `get nodes/stats` for
 * disk and network (./kubelet-summary.ts). A Pod the Metrics API has no figures for yet (its first
 * scrapes, ≈ 15-30 s) gives no reading; one whose kubelet cannot be read gets disk 0 and no network.
 */
export class MetricsApiSource implements UsageSource {
  private readonly lastError = new Map<string, string>();

  constructor(
    private readonly kc: KubeConfig = kubeConfig(),
    private readonly diskAndNetwork: UsageSource | null = new KubeletSummarySource(kc),
  ) {}

  async read(pods: PodRef[]): Promise<PodReading[]> {
    const [metrics, kubelet] = await Promise.all([this.podMetrics(pods), this.diskAndNetwork?.read(pods) ?? []]);
    return combineReadings(pods, metrics, kubelet);
  }

  /** namespace/name -> figures, for the devbox Pods of the namespaces these Pods are in. */
  private async podMetrics(pods: PodRef[]): Promise<Map<string, CpuMemory>> {
    const api = this.kc.makeApiClient(CustomObjectsApi);
    const out = new Map<string, CpuMemory>();
    await Promise.all(
      [...new Set(pods.map((p) => p.namespace))].map(async (namespace) => {
        try {
          const list = (await api.listNamespacedCustomObject({ group: "metrics.k8s.io", version: "v1beta1", namespace, plural: "pods", labelSelector: DEVBOX_ID_LABEL })) as {
            items?: PodMetrics[];
          };
          for (const m of list.items ?? []) out.set(`${namespace}/${m.metadata.name}`, cpuMemoryFromPodMetrics(m));
          this.lastError.delete(namespace);
        } catch (err) {
          // Logged when it changes, not every pass (a missing right or metrics-server would flood the log).
          const message = err instanceof Error ? err.message : String(err);
          if (this.lastError.get(namespace) !== message)
            console.error(`[devbox] usage: reading the Metrics API in ${namespace} failed (needs metrics-server and list pods.metrics.k8s.io: docs/usage.md):`, message);
          this.lastError.set(namespace, message);
        }
      }),
    );
    return out;
  }
}
