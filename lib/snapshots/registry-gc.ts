import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { Database } from "@/db/client";
import { BUNDLED_CLUSTER_DIR } from "@/lib/k8s/config";
import { whileNoPushes } from "./registry-holds";

const run = promisify(execFile);

/**
 * Registry garbage collection, which really frees the disk after purges deleted manifests.
 * Distribution's GC must not race pushes, so it runs where the registry is managed:
 * DEVBOX_REGISTRY_GC_COMMAND (an operator's script: stop or make read-only, GC, restart), or for
 * the bundled cluster `bash cluster/lib/agent.sh registry-gc` (stops the registry for the sweep).
 * Returns the storage size before and after when the command prints it (last line, JSON).
 */
export async function runRegistryGc(): Promise<{ bytesBefore?: number; bytesAfter?: number; output: string }> {
  const custom = process.env.DEVBOX_REGISTRY_GC_COMMAND;
  const bundled = path.join(process.cwd(), "cluster/lib/agent.sh");
  if (!custom && !(fs.existsSync(bundled) && fs.existsSync(path.join(BUNDLED_CLUSTER_DIR, "registry/config.yml"))))
    throw new Error("No registry garbage collection configured: set DEVBOX_REGISTRY_GC_COMMAND.");
  const { stdout } = custom ? await run("sh", ["-c", custom], { timeout: 600_000 }) : await run("bash", [bundled, "registry-gc"], { timeout: 600_000 });
  const last = stdout.trim().split("\n").pop() ?? "";
  try {
    return { ...(JSON.parse(last) as { bytesBefore: number; bytesAfter: number }), output: stdout };
  } catch {
    return { output: stdout };
  }
}

/**
 * The GC, never while a commit, merge or fork is pushing (on any replica): the sweep would delete
 * the blobs of a push whose manifest is not written yet. Undefined when it had to wait.
 */
export const runRegistryGcSafely = (db: Database) => whileNoPushes(db, runRegistryGc);

/**
 * Runs the GC every DEVBOX_REGISTRY_GC_INTERVAL_MIN minutes (default 60; 0 = never), only while
 * there is something to reclaim (a purge deleted manifests since the last run) — the registry is
 * briefly unavailable during the sweep.
 */
export function scheduleRegistryGc(db: Database): () => void {
  const minutes = Number(process.env.DEVBOX_REGISTRY_GC_INTERVAL_MIN ?? 60);
  if (!(minutes > 0)) return () => {};
  const timer = setInterval(() => {
    if (!takeGcNeeded()) return;
    runRegistryGcSafely(db)
      .then((r) => {
        if (!r) return markGcNeeded(); // a push was in flight: next interval
        console.log(`[devbox] registry garbage collection: ${r.bytesBefore ?? "?"} → ${r.bytesAfter ?? "?"} bytes`);
      })
      .catch((err) => {
        markGcNeeded();
        console.error("[devbox] registry garbage collection failed:", err instanceof Error ? err.message : err);
      });
  }, minutes * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}

const gcKey = Symbol.for("devbox.registryGcNeeded");
type G = typeof globalThis & { [gcKey]?: boolean };
/** A purge deleted manifests: their blobs wait for the next GC. */
export const markGcNeeded = () => void ((globalThis as G)[gcKey] = true);
function takeGcNeeded(): boolean {
  const needed = !!(globalThis as G)[gcKey];
  (globalThis as G)[gcKey] = false;
  return needed;
}
