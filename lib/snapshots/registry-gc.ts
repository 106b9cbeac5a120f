import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
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
 * the bundled cluster its root helper's socket (`up` with DEVBOX_DASHBOARD_GROUP, so a dashboard
 * that is not root can ask for it), else `bash cluster/lib/agent.sh registry-gc` (as root; stops
 * the registry for the sweep).
 * Returns the storage size before and after when the command prints it (last line, JSON).
 */
export async function runRegistryGc(): Promise<{ bytesBefore?: number; bytesAfter?: number; output: string }> {
  const custom = process.env.DEVBOX_REGISTRY_GC_COMMAND;
  const socket = path.join(BUNDLED_CLUSTER_DIR, "run/registry-gc.sock");
  const bundled = path.join(process.cwd(), "cluster/lib/agent.sh");
  if (!custom && fs.existsSync(socket)) {
    const output = await askHelper(socket, 600_000);
    const sizes = lastLineJson(output);
    // the helper cannot pass an exit status: success is its JSON line
    if (!sizes) throw new Error(`registry garbage collection failed: ${output.trim().split("\n").slice(-3).join(" | ")}`);
    return { ...sizes, output };
  }
  if (!custom && !(fs.existsSync(bundled) && fs.existsSync(path.join(BUNDLED_CLUSTER_DIR, "registry/config.yml"))))
    throw new Error("No registry garbage collection configured: set DEVBOX_REGISTRY_GC_COMMAND.");
  const { stdout } = custom ? await run("sh", ["-c", custom], { timeout: 600_000 }) : await run("bash", [bundled, "registry-gc"], { timeout: 600_000 });
  return { ...lastLineJson(stdout), output: stdout };
}

function lastLineJson(out: string): { bytesBefore: number; bytesAfter: number } | undefined {
  try {
    const v = JSON.parse(out.trim().split("\n").pop() ?? "") as { bytesBefore?: unknown; bytesAfter?: unknown };
    return typeof v.bytesBefore === "number" && typeof v.bytesAfter === "number" ? { bytesBefore: v.bytesBefore, bytesAfter: v.bytesAfter } : undefined;
  } catch {
    return undefined;
  }
}

/** One connection = one GC run; its output comes back until the helper closes the socket. */
function askHelper(socket: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const c = net.connect(socket);
    c.setEncoding("utf8");
    c.setTimeout(timeoutMs, () => c.destroy(new Error(`registry garbage collection: no answer from ${socket} in ${timeoutMs / 1000}s`)));
    c.on("data", (d: string) => (out += d));
    c.on("end", () => resolve(out));
    c.on("error", reject);
  });
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
