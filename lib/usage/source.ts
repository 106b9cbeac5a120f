/**
 * One reading of one Pod's resource use, whatever the source. The sampler (./sampler.ts) only
 * sees this interface, so the kubelet Summary API (./kubelet-summary.ts) can be replaced by the
 * Metrics API once the cluster runs metrics-server (it has CPU and memory; disk and network would
 * still come from the kubelet).
 */
export interface PodReading {
  namespace: string;
  name: string;
  uid: string;
  /** When the kubelet measured it. */
  at: Date;
  /** CPU in use now as the kubelet computed it, in millicores (0 when it could not). */
  cpuMillis: number;
  /** CPU time used since the Pod started (a counter), nanoseconds; rates from two readings are steadier than cpuMillis. */
  cpuNanoSeconds?: number;
  /** Memory working set (what the OOM killer and the limit count), bytes. */
  memoryBytes: number;
  /** Ephemeral storage in use (writable layer + logs), what the kubelet's disk limit counts; bytes. */
  diskBytes: number;
  /** Counters since the Pod's network namespace was made; undefined when not reported. */
  rxBytes?: number;
  txBytes?: number;
}

export interface UsageSource {
  /** Readings of the Pods on these nodes. A node that cannot be read is left out (and logged). */
  read(nodes: string[]): Promise<PodReading[]>;
}
