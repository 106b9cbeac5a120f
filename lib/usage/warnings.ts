import { formatBytes } from "@/lib/snapshots/format";

/** At or above this share of a limit, the devbox page warns (memory: the OOM killer; disk: eviction). */
export const WARN_AT = 0.9;
/** A reading older than this says nothing about now (the devbox stopped, or sampling stalled). */
export const FRESH_MS = 3 * 60_000;

export interface UsageWarning {
  kind: "memory" | "disk";
  /** Share of the limit in use, 0..1+. */
  ratio: number;
  message: string;
}

/** Warnings from the latest reading against the devbox's limits. Pure. */
export function usageWarnings(
  latest: { at: Date; memoryBytes: number; diskBytes: number } | undefined,
  limits: { memoryMiB: number; diskMiB: number },
  now = new Date(),
): UsageWarning[] {
  if (!latest || now.getTime() - latest.at.getTime() > FRESH_MS) return [];
  const out: UsageWarning[] = [];
  const mem = limits.memoryMiB * 1024 * 1024;
  const disk = limits.diskMiB * 1024 * 1024;
  if (mem > 0 && latest.memoryBytes / mem >= WARN_AT)
    out.push({
      kind: "memory",
      ratio: latest.memoryBytes / mem,
      message: `Memory is nearly full: ${formatBytes(latest.memoryBytes)} of ${formatBytes(mem)} (${pct(latest.memoryBytes / mem)}). At the limit the kernel kills the biggest process (out of memory). Stop something, or give the devbox more memory.`,
    });
  if (disk > 0 && latest.diskBytes / disk >= WARN_AT)
    out.push({
      kind: "disk",
      ratio: latest.diskBytes / disk,
      message: `Disk is nearly full: ${formatBytes(latest.diskBytes)} of ${formatBytes(disk)} (${pct(latest.diskBytes / disk)}). Over the limit the node evicts the devbox: it stops. Delete files, or give it more disk.`,
    });
  return out;
}

function pct(r: number): string {
  return `${Math.round(r * 100)}%`;
}
