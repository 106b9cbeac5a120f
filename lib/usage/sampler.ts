import type { V1Pod } from "@kubernetes/client-node";
import type { Database } from "@/db/client";
import type { DevboxPodCache } from "@/lib/k8s/pod-cache";
import { GENERATION_LABEL } from "@/lib/devboxes/k8s-objects";
import { listAllDevboxesWithNamespace } from "@/lib/devboxes/queries";
import { rates, type Counters, type Sample } from "./buckets";
import { dropExpired, recordSamples } from "./queries";
import type { PodReading, PodRef, UsageSource } from "./source";

/** How often the leader samples (DEVBOX_USAGE_SAMPLE_SECONDS, default 20; read each pass, so tests can shorten it). */
export const usageSampleMs = () => Math.max(2, Number(process.env.DEVBOX_USAGE_SAMPLE_SECONDS ?? 20) || 20) * 1000;

/**
 * Samples every running devbox's current Pod, run by the reconciler's leader only
 * (lib/reconciler/controller.ts), so two replicas never count a sample twice. Network counters
 * counters are kept in memory between passes to turn them into rates; a new leader starts
 * without them (its first pass has no network rate).
 */
export class UsageSampler {
  private lastCounters = new Map<string, Counters>();

  constructor(
    private readonly db: Database,
    private readonly pods: Pick<DevboxPodCache, "podsOf">,
    private readonly source: UsageSource,
  ) {}

  /** One pass: read, fold into the buckets, drop what aged out. Returns the samples recorded, by devbox id. */
  async pass(now = new Date()): Promise<Map<string, Sample>> {
    const byUid = new Map<string, string>();
    const targets: PodRef[] = [];
    for (const d of await listAllDevboxesWithNamespace(this.db)) {
      if (d.desiredState !== "running") continue;
      const pod = currentPod(this.pods.podsOf(d.id), d.podGeneration);
      if (!pod?.metadata?.uid || !pod.metadata.name || !pod.spec?.nodeName) continue;
      byUid.set(pod.metadata.uid, d.id);
      targets.push({ namespace: pod.metadata.namespace ?? d.namespace, name: pod.metadata.name, uid: pod.metadata.uid, nodeName: pod.spec.nodeName });
    }
    const samples = new Map<string, Sample>();
    const counters = new Map<string, Counters>();
    const readings = targets.length ? await this.source.read(targets) : [];
    for (const r of readings) {
      const devboxId = byUid.get(r.uid);
      if (!devboxId) continue;
      counters.set(r.uid, r);
      samples.set(devboxId, toSample(r, this.lastCounters.get(r.uid)));
    }
    // Pods gone since the last pass are forgotten: the map holds only what runs.
    this.lastCounters = counters;
    await recordSamples(this.db, now, samples);
    await dropExpired(this.db, now);
    return samples;
  }
}

function toSample(r: PodReading, prev?: Counters): Sample {
  // The source's own CPU figure, unless it gave a CPU-time counter and there is an earlier one to diff against.
  const { cpuMillis, ...net } = rates(prev, r);
  return { cpuMillis: cpuMillis ?? r.cpuMillis, memoryBytes: r.memoryBytes, diskBytes: r.diskBytes, ...net };
}

function currentPod(pods: V1Pod[], generation: number): V1Pod | undefined {
  return pods.find((p) => p.metadata?.labels?.[GENERATION_LABEL] === String(generation) && !p.metadata?.deletionTimestamp && p.status?.phase === "Running");
}
