import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { MAIN_PROCESS_ARGS, MAIN_PROCESS_SCRIPT } from "./main-process";

describe("the devbox's main process", () => {
  it("survives Kubernetes' expansion of args: no $(NAME) references and no $$ escapes", () => {
    // Kubernetes rewrites `$(VAR)` to the variable's value and `$$` to `$` in command and args.
    expect(MAIN_PROCESS_SCRIPT).not.toMatch(/\$\$/);
    expect(MAIN_PROCESS_SCRIPT).not.toMatch(/\$\([A-Za-z_][A-Za-z0-9_]*\)/);
    expect(MAIN_PROCESS_ARGS.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
  });
});

// The script run for real, in its own PID namespace (it signals every process it can see), under a
// PID 1 that behaves like tini: it hands a TERM to its child only. A program beside it writes down
// each TERM it gets (many programs save on the first and quit at once on a second), runs 1.5 s more,
// then writes "done": the main process must have waited for that. The program waits in `read -t`,
// not in a `sleep` child, so two TERMs a few ms apart run its trap twice.
const canUnshare = spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "--kill-child", "true"]).status === 0;

function afterStop(stopper: "kubelet" | "agent"): string[] {
  const init = `
    log=$(mktemp -u) && mkfifo "$log.fifo"
    bash -c 'trap "echo term >> $0" TERM; exec 3<>$0.fifo; i=0; while [ $i -lt 15 ]; do read -t 0.1 -u 3; i=$((i+1)); done; echo done >> $0' "$log" &
    "$@" & main=$!
    sleep 0.5
    # kubelet: TERM to PID 1 only, which hands it on; node agent (runc kill --all): TERM to every process, PID 1 too
    [ "$STOPPER" = agent ] && kill -s TERM -- -1
    kill -s TERM "$main"
    wait "$main"
    cat "$log"; rm -f "$log" "$log.fifo"`;
  const out = execFileSync("unshare", ["--pid", "--fork", "--mount-proc", "--kill-child", "/bin/sh", "-c", init, "init", ...MAIN_PROCESS_ARGS], {
    env: { ...process.env, STOPPER: stopper },
    timeout: 20_000,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  return out.trim().split("\n");
}

describe.skipIf(!canUnshare)("the devbox's main process on stop (needs unshare: root)", () => {
  it("passes the kubelet's TERM (PID 1 only) on to every process, once", () => {
    expect(afterStop("kubelet")).toEqual(["term", "done"]);
  });

  it("does not pass it on again when every process already got it (node agent, cluster down)", () => {
    expect(afterStop("agent")).toEqual(["term", "done"]);
  });
});
