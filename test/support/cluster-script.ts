// The bundled cluster's own script (cluster/devbox-cluster) from tests that change the shared
// cluster (add or remove node 2), and the one-line record such changes get on the developers'
// machine (/work/wt/notes/CLUSTER.log; a CI machine has no such folder).
import { execFile } from "node:child_process";
import { appendFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const SCRIPT = path.resolve(import.meta.dirname, "../../cluster/devbox-cluster");

export const NODE1 = process.env.DEVBOX_NODE_NAME ?? "devbox-node";
export const NODE2 = `${NODE1}-2`;

/** Runs `cluster/devbox-cluster <args>`; resolves with its exit code and output (never rejects). */
export async function clusterScript(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run("bash", [SCRIPT, ...args], { timeout: 600_000, maxBuffer: 32 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

export function noteClusterChange(who: string, what: string): void {
  try {
    appendFileSync("/work/wt/notes/CLUSTER.log", `${new Date().toISOString()} ${who}: ${what}\n`);
  } catch {
    /* not on the shared dev machine */
  }
}
