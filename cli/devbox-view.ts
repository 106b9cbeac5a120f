import type { z } from "zod";
import type { DevboxSchema } from "@/lib/devboxes/schemas";
import type { SnapshotSchema } from "@/lib/snapshots/schemas";

// The API's devbox and snapshot as the CLI reads them: inferred from the schemas the API
// validates and documents with (type-only imports: nothing of the server is loaded).
export type Devbox = z.infer<typeof DevboxSchema>;
export type Snapshot = z.infer<typeof SnapshotSchema>;

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
