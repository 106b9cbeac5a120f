import { spawn } from "node:child_process";
import path from "node:path";
import type { CrashPoint } from "@/lib/faults/crash-point";

/**
 * One call of a service function (`fn(db, ...args)`) in a child process with crash points armed
 * (DEVBOX_CRASH_POINTS, lib/faults/crash-point.ts), on the test's PostgreSQL database: the process
 * dies by SIGKILL at the point, like a dashboard would, without the test process dying with it.
 * For writes that happen in a request, not in the reconciler, where restarting a whole dashboard
 * would add nothing. Arguments travel as JSON (Dates become strings).
 */
export interface CrashCall {
  databaseUrl: string;
  /** Module path from the repository root, without extension: "lib/invites/service". */
  module: string;
  fn: string;
  args: unknown[];
  crashPoints: CrashPoint[];
  /** Start the devbox Pod cache first, as a dashboard has it: for calls about running devboxes (a commit). */
  podCache?: boolean;
}

export interface CrashCallResult {
  /** Killed by SIGKILL (at an armed crash point). */
  crashed: boolean;
  /** The crash point it died at, as it logged it. */
  point?: string;
  /** What `fn` returned, when it returned. */
  result?: unknown;
  output: string;
}

const ROOT = path.resolve(import.meta.dirname, "../..");

export function callUntilCrash(call: CrashCall, timeoutMs = 60_000): Promise<CrashCallResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, "test/support/crash-call-child.ts")], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: call.databaseUrl, DEVBOX_CRASH_POINTS: call.crashPoints.join(","), CRASH_CALL: JSON.stringify({ module: call.module, fn: call.fn, args: call.args, podCache: !!call.podCache }) },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: a timeout kills tsx and the node process it runs the call in.
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
      reject(new Error(`the call ${call.fn} did not end within ${timeoutMs / 1000} s:\n${output}`));
    }, timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const point = /crash point (\S+): exiting now/.exec(output)?.[1];
      // tsx's CLI relays its child's death as exit status 128 + 9
      if (signal === "SIGKILL" || code === 137) return resolve({ crashed: true, point, output });
      if (code !== 0) return reject(new Error(`the call ${call.fn} failed (exit ${code}):\n${output}`));
      const line = output.split("\n").find((l) => l.startsWith("RESULT "));
      resolve({ crashed: false, result: line ? JSON.parse(line.slice(7)) : undefined, output });
    });
  });
}
