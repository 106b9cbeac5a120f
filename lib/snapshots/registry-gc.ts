import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { instanceSettings } from "@/db/schema/instance-settings";
import { newId } from "@/lib/ids";
import { getSetting, setSetting } from "@/lib/settings/instance";
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
 * there is something to reclaim (a purge or deletion deleted manifests since the last run) — the
 * registry is briefly unavailable during the sweep. The mark is in the DB, so a dashboard restarted
 * between a purge and the GC (or another replica) still runs it; it is cleared only once a sweep
 * has completed, and only if nobody marked again since the sweep began.
 */
export function scheduleRegistryGc(db: Database): () => void {
  const minutes = Number(process.env.DEVBOX_REGISTRY_GC_INTERVAL_MIN ?? 60);
  if (!(minutes > 0)) return () => {};
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    gcIfNeeded(db)
      .catch((err) => console.error("[devbox] registry garbage collection failed:", err instanceof Error ? err.message : err))
      .finally(() => (running = false));
  }, minutes * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}

/** One GC if one is due; the mark stays when it could not run (a push in flight) or failed. */
export async function gcIfNeeded(db: Database): Promise<void> {
  const mark = await gcNeededMark(db);
  if (!mark) return;
  const r = await runRegistryGcSafely(db);
  if (!r) return; // a push was in flight, or another replica sweeps: next interval
  await clearGcNeeded(db, mark);
  console.log(`[devbox] registry garbage collection: ${r.bytesBefore ?? "?"} → ${r.bytesAfter ?? "?"} bytes`);
}

const GC_NEEDED_KEY = "registry_gc_needed";

/**
 * Manifests were (or are about to be) deleted: their blobs wait for the next GC. Each mark is a
 * new value, so a GC clears only the mark it saw before sweeping. Callers mark before deleting
 * (a crash after the delete still leaves the mark) and again after (a sweep that ran meanwhile
 * may have started before the delete).
 */
export async function markGcNeeded(db: Pick<Database, "insert">): Promise<void> {
  await setSetting(db, GC_NEEDED_KEY, newId());
}

/** The current mark, if a GC is due. */
export async function gcNeededMark(db: Pick<Database, "select">): Promise<string | undefined> {
  return getSetting<string>(db, GC_NEEDED_KEY);
}

async function clearGcNeeded(db: Database, mark: string): Promise<void> {
  await db.delete(instanceSettings).where(and(eq(instanceSettings.key, GC_NEEDED_KEY), sql`${instanceSettings.value} #>> '{}' = ${mark}`));
}
