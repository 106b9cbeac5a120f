import { bucketStart, type Resolution } from "./buckets";

export interface SeriesRow {
  bucketStart: Date;
  cpuMillis: number;
  memoryBytes: number;
  diskBytes: number;
  rxBytesPerSec: number | null;
  txBytesPerSec: number | null;
}

/** Column arrays for a chart (uPlot's shape): one entry per bucket of the window, null where there was no sample. */
export interface UsageSeries {
  resolutionSeconds: number;
  /** Bucket starts, Unix seconds. */
  t: number[];
  cpuMillis: (number | null)[];
  memoryBytes: (number | null)[];
  diskBytes: (number | null)[];
  rxBytesPerSec: (number | null)[];
  txBytesPerSec: (number | null)[];
}

/** The window's buckets ending with the current one, gaps as null (a stopped devbox draws no line). Pure. */
export function toSeries(rows: SeriesRow[], r: Resolution, now: Date): UsageSeries {
  const step = r.seconds * 1000;
  const last = bucketStart(now, r).getTime();
  const count = Math.round(r.keepSeconds / r.seconds) + 1;
  const byStart = new Map(rows.map((x) => [x.bucketStart.getTime(), x]));
  const s: UsageSeries = { resolutionSeconds: r.seconds, t: [], cpuMillis: [], memoryBytes: [], diskBytes: [], rxBytesPerSec: [], txBytesPerSec: [] };
  for (let i = count - 1; i >= 0; i--) {
    const at = last - i * step;
    const row = byStart.get(at);
    s.t.push(at / 1000);
    s.cpuMillis.push(row ? round(row.cpuMillis, 1) : null);
    s.memoryBytes.push(row ? row.memoryBytes : null);
    s.diskBytes.push(row ? row.diskBytes : null);
    s.rxBytesPerSec.push(row?.rxBytesPerSec != null ? round(row.rxBytesPerSec, 0) : null);
    s.txBytesPerSec.push(row?.txBytesPerSec != null ? round(row.txBytesPerSec, 0) : null);
  }
  return s;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
