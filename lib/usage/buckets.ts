/**
 * How usage history is kept compact (db/schema/usage-samples.ts): every sample folds into a
 * 1-minute and a 15-minute bucket; each resolution keeps only its window. Pure: the SQL upsert in
 * ./queries.ts does the same arithmetic, and the charts read windows with ./series.ts.
 */
export interface Resolution {
  seconds: number;
  /** How long rows of this resolution are kept. */
  keepSeconds: number;
}

export const MINUTE: Resolution = { seconds: 60, keepSeconds: 60 * 60 };
export const QUARTER_HOUR: Resolution = { seconds: 900, keepSeconds: 24 * 60 * 60 };
export const RESOLUTIONS = [MINUTE, QUARTER_HOUR] as const;

export type UsageWindow = "hour" | "day";
export const WINDOW_RESOLUTION: Record<UsageWindow, Resolution> = { hour: MINUTE, day: QUARTER_HOUR };

export function bucketStart(at: Date, r: Resolution): Date {
  const ms = r.seconds * 1000;
  return new Date(Math.floor(at.getTime() / ms) * ms);
}

/** Rows of this resolution that start before this are dropped. */
export function retentionCutoff(now: Date, r: Resolution): Date {
  return new Date(bucketStart(now, r).getTime() - r.keepSeconds * 1000);
}

export interface Sample {
  cpuMillis: number;
  memoryBytes: number;
  diskBytes: number;
  /** Rates since the previous reading of the same Pod; undefined for a Pod's first reading. */
  rxBytesPerSec?: number;
  txBytesPerSec?: number;
}

export interface Bucket {
  samples: number;
  cpuMillis: number;
  memoryBytes: number;
  diskBytes: number;
  rxBytesPerSec: number | null;
  txBytesPerSec: number | null;
  netSamples: number;
}

/** A bucket after one more sample: CPU and network averaged, memory and disk at their peak. */
export function fold(b: Bucket | undefined, s: Sample): Bucket {
  if (!b)
    return {
      samples: 1,
      cpuMillis: s.cpuMillis,
      memoryBytes: s.memoryBytes,
      diskBytes: s.diskBytes,
      rxBytesPerSec: s.rxBytesPerSec ?? null,
      txBytesPerSec: s.txBytesPerSec ?? null,
      netSamples: s.rxBytesPerSec === undefined ? 0 : 1,
    };
  const hasNet = s.rxBytesPerSec !== undefined && s.txBytesPerSec !== undefined;
  const n = b.netSamples;
  return {
    samples: b.samples + 1,
    cpuMillis: (b.cpuMillis * b.samples + s.cpuMillis) / (b.samples + 1),
    memoryBytes: Math.max(b.memoryBytes, s.memoryBytes),
    diskBytes: Math.max(b.diskBytes, s.diskBytes),
    rxBytesPerSec: hasNet ? ((b.rxBytesPerSec ?? 0) * n + s.rxBytesPerSec!) / (n + 1) : b.rxBytesPerSec,
    txBytesPerSec: hasNet ? ((b.txBytesPerSec ?? 0) * n + s.txBytesPerSec!) / (n + 1) : b.txBytesPerSec,
    netSamples: hasNet ? n + 1 : n,
  };
}

/** Counters of one Pod at one reading (./source.ts PodReading). */
export interface Counters {
  at: Date;
  cpuNanoSeconds?: number;
  rxBytes?: number;
  txBytes?: number;
}

/**
 * Rates from two readings of the same Pod's counters: CPU (millicores) and network (bytes/s). A
 * counter that went down (the Pod was replaced) or a reading no newer than the last gives none.
 * CPU from the counter is what metrics-server does too: the kubelet's own usageNanoCores is
 * computed against whichever client asked last, and reads 0 when two ask at once.
 */
export function rates(prev: Counters | undefined, cur: Counters): { cpuMillis?: number; rxBytesPerSec?: number; txBytesPerSec?: number } {
  if (!prev) return {};
  const seconds = (cur.at.getTime() - prev.at.getTime()) / 1000;
  if (seconds <= 0) return {};
  const out: { cpuMillis?: number; rxBytesPerSec?: number; txBytesPerSec?: number } = {};
  if (prev.cpuNanoSeconds !== undefined && cur.cpuNanoSeconds !== undefined && cur.cpuNanoSeconds >= prev.cpuNanoSeconds)
    out.cpuMillis = (cur.cpuNanoSeconds - prev.cpuNanoSeconds) / 1e6 / seconds;
  if (prev.rxBytes !== undefined && prev.txBytes !== undefined && cur.rxBytes !== undefined && cur.txBytes !== undefined && cur.rxBytes >= prev.rxBytes && cur.txBytes >= prev.txBytes) {
    out.rxBytesPerSec = (cur.rxBytes - prev.rxBytes) / seconds;
    out.txBytesPerSec = (cur.txBytes - prev.txBytes) / seconds;
  }
  return out;
}
