import { formatBytes } from "@/lib/snapshots/format";

/** "0.25 cores", "1.5 cores" */
export function formatCores(millis: number): string {
  const cores = millis / 1000;
  const n = cores >= 10 ? cores.toFixed(0) : cores >= 1 ? cores.toFixed(1) : cores.toFixed(2);
  return `${n} ${cores === 1 ? "core" : "cores"}`;
}

/** "12.3 MB/s" */
export const formatRate = (bytesPerSec: number) => `${formatBytes(Math.round(bytesPerSec))}/s`;

export { formatBytes };
