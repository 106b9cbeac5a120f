/**
 * One reading of one Pod's resource use, whatever the source. The sampler (./sampler.ts) only
 * sees this interface. The dashboard's source (./metrics-api.ts) takes CPU and memory from the
 * Metrics API (metrics-server) and disk and network from the kubelet Summary API
 * (./kubelet-summary.ts), which alone has them.
 */
export interface PodReading {
  namespace: string;
  name: string;
  uid: string;
  /** When the kubelet measured it. */
  at: Date;
  /** CPU in use now as the kubelet computed it, in millicores (0 when it could not). */
  cpuMillis: number;
  /** CPU time used since the Pod started (a counter), nanoseconds, when the source has it: the sampler then takes the rate between two readings instead of cpuMillis. */
  cpuNanoSeconds?: number;
  /** Memory working set (what the OOM killer and the limit count), bytes. */
  memoryBytes: number;
  /** Ephemeral storage in use (writable layer + logs), what the kubelet's disk limit counts; bytes. */
  diskBytes: number;
  /** Counters since the Pod's network namespace was made; undefined when not reported. */
  rxBytes?: number;
  txBytes?: number;
}

/** A Pod to read: where it runs (the kubelet to ask) and which namespace (the Metrics API's scope). */
export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
}

export interface UsageSource {
  /** Readings of these Pods (others on their nodes may come too). What cannot be read is left out (and logged). */
  read(pods: PodRef[]): Promise<PodReading[]>;
}
