/** The API's devbox and snapshot as the CLI reads them (lib/devboxes/schemas.ts is the contract). */
export interface Devbox {
  id: string;
  name: string;
  image: string;
  cpuMillis: number;
  memoryMiB: number;
  diskMiB: number;
  env: { name: string; value: string }[];
  ports: { port: number; name: string }[];
  desiredState: "running" | "stopped" | "deleted";
  podGeneration: number;
  status: { state: string; reason?: string; podName?: string; commit?: { phase: string; bytes: number; error?: string } };
  createdAt: string;
}

export interface Snapshot {
  id: string;
  digest: string;
  trigger: string;
  bytesAdded: number;
  layerCount: number;
  durationMs: number;
  pinned: boolean;
  createdAt: string;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
