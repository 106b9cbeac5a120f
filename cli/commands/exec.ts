import WebSocket from "ws";
import { execPath, STDERR, STDOUT, type ExecServerMessage } from "@/lib/exec/protocol";
import { closeCodeLabel, CloseCode } from "@/lib/terminal/protocol";
import type { Command } from "../context";
import { CliError, Exit, usage } from "../errors";
import { devboxTarget, nameMissingDevbox } from "../target";

/** Close codes of a refused exec → the CLI's exit codes. */
function exitForClose(code: number): number {
  if (code === CloseCode.Unauthorized || code === CloseCode.Forbidden || code === CloseCode.ForbiddenOrigin || code === CloseCode.Revoked) return Exit.Auth;
  if (code === CloseCode.NotFound) return Exit.NotFound;
  if (code === CloseCode.BadRequest) return Exit.Usage;
  return Exit.Error;
}

export const execCommand: Command = {
  name: "exec",
  summary: "Run a command in a running devbox: its output, its exit code",
  usage: "<box>[.<team>] -- <command> [args…]",
  async run(ctx, { positionals, rest }) {
    if (positionals.length !== 1 || rest.length === 0) throw usage("usage: devbox exec <box>[.<team>] -- <command> [args…]");
    const t = devboxTarget(ctx, positionals[0]);
    const url = new URL(execPath(t.team, t.name, rest), ctx.url);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${ctx.token}` }, perMessageDeflate: false });
    return new Promise<number>((resolve, reject) => {
      let exit: number | null | undefined;
      let error: { code: number; message: string } | undefined;
      ws.on("open", () => {
        // Stdin goes through when it is piped; a terminal's stdin is not read (no TTY over exec).
        if (process.stdin.isTTY) ws.send(JSON.stringify({ type: "eof" }));
        else {
          process.stdin.on("data", (b: Buffer) => ws.send(b, { binary: true }));
          process.stdin.on("end", () => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ type: "eof" })));
        }
      });
      ws.on("message", (data, isBinary) => {
        const buf = data as Buffer;
        if (isBinary) {
          if (buf[0] === STDOUT) ctx.stdout.write(buf.subarray(1));
          else if (buf[0] === STDERR) ctx.stderr.write(buf.subarray(1));
          return;
        }
        const m = JSON.parse(buf.toString()) as ExecServerMessage;
        if (m.type === "exit") exit = m.code;
        else error = { code: m.code, message: m.message };
      });
      ws.on("unexpected-response", (_req, res) => reject(new CliError(res.statusCode === 404 ? Exit.NotFound : Exit.Error, `exec refused: HTTP ${res.statusCode}`)));
      ws.on("error", (err) => reject(new CliError(Exit.Unavailable, `cannot reach ${ctx.url}: ${err.message}`)));
      ws.on("close", (code, reason) => {
        process.stdin.pause();
        if (exit !== undefined) return resolve(exit ?? Exit.Error);
        const message = error?.message ?? (reason.toString() || closeCodeLabel(code));
        reject(new CliError(exitForClose(error?.code ?? code), nameMissingDevbox(message, t)));
      });
    });
  },
};
