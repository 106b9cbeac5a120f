import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import WebSocket from "ws";
import { parseHostAlias, sshPath, SshCloseCode, type SshServerMessage } from "@/lib/ssh/protocol";
import { ReadBuffers, RELAY_READ_BYTES } from "@/lib/ssh/read-buffers";
import { INCLUDE_DIR } from "@/lib/ssh/ssh-config";
import { Exit } from "../errors";
import { nameMissingDevbox } from "../target";

/**
 * `devbox ssh --stdio <devbox>.<team>`: OpenSSH's ProxyCommand (written by `devbox config-ssh`).
 * Stdin/stdout carry the SSH stream over a websocket to the dashboard (lib/ssh/protocol.ts),
 * which forwards it to the devbox's sshd; progress and refusals go to stderr, one line each.
 * `devbox ssh <devbox>.<team> [command…]` runs the system's ssh through that config.
 *
 * Written against a minimal context until the CLI skeleton (cli/main.ts, apicli) provides it.
 */
export interface SshCliContext {
  /** The dashboard's URL, e.g. https://devbox.example.com */
  url: string;
  /** An API token (dbx_pat_…) with the devboxes:ssh scope. */
  token: string;
  /** The team saved by login: `devbox ssh <box>` means `<box>.<team>`, as every other command. */
  team?: string;
  stderr?: NodeJS.WritableStream;
}


export async function sshCommand(args: string[], ctx: SshCliContext): Promise<number> {
  const stderr = ctx.stderr ?? process.stderr;
  const stdio = args[0] === "--stdio";
  const given = stdio ? args[1] : args[0];
  // OpenSSH always passes the full alias to --stdio (%h); a person may leave the team out.
  const host = given && !stdio && !given.includes(".") && ctx.team ? `${given}.${ctx.team}` : given;
  const target = host ? parseHostAlias(host) : null;
  if (!target) {
    stderr.write("devbox: usage: devbox ssh [--stdio] <box>[.<team>] [command…]\n");
    return Exit.Usage;
  }
  if (!stdio) return runSystemSsh(host!, args.slice(1), stderr);
  return proxyStdio(target, ctx, stderr);
}

function runSystemSsh(host: string, rest: string[], stderr: NodeJS.WritableStream): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("ssh", [host, ...rest], { stdio: "inherit" });
    child.on("error", (err) => {
      stderr.write(`devbox: could not run ssh (${err.message}); install OpenSSH and run devbox config-ssh\n`);
      resolve(Exit.Error);
    });
    child.on("exit", (code) => {
      // 255 is ssh's own failure. For a devbox created after the last config-ssh, that is
      // "Could not resolve hostname box.team", which does not say what to do.
      if (code === 255 && !hasHostBlock(host)) stderr.write(`devbox: ${host} is not in ~/.ssh/devbox/config: run devbox config-ssh (again after creating a devbox)\n`);
      resolve(code ?? Exit.Error);
    });
  });
}

/** Whether `devbox config-ssh` wrote a Host block for this alias (lib/ssh/ssh-config.ts). */
function hasHostBlock(host: string): boolean {
  try {
    return fs.readFileSync(path.join(os.homedir(), INCLUDE_DIR, "config"), "utf8").split("\n").some((l) => l.trim() === `Host ${host}`);
  } catch {
    return false;
  }
}

/** The CLI's exit codes (cli/errors.ts) for the websocket's close codes (lib/ssh/protocol.ts). */
function exitFor(code: number): number {
  if (code === SshCloseCode.Normal || code === 1005) return Exit.Ok;
  if (code === SshCloseCode.NotFound) return Exit.NotFound;
  if (code === SshCloseCode.Unauthorized || code === SshCloseCode.Revoked || code === SshCloseCode.Forbidden || code === SshCloseCode.ForbiddenOrigin) return Exit.Auth;
  if (code === SshCloseCode.NotRunning || code === SshCloseCode.NoSsh || code === SshCloseCode.GoingAway) return Exit.Unavailable;
  return Exit.Error;
}

function proxyStdio(target: { team: string; devbox: string }, ctx: SshCliContext, stderr: NodeJS.WritableStream): Promise<number> {
  const url = new URL(sshPath(target.team, target.devbox), ctx.url);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  // A zero mask: masking protects proxies from bytes a *browser* page chose; this client is not
  // a browser, and ws skips the per-byte XOR on both ends for a zero mask (RFC 6455 allows any value).
  const ws = new WebSocket(url, {
    headers: { Authorization: `Bearer ${ctx.token}` },
    perMessageDeflate: false,
    maxPayload: 8 * 1024 * 1024,
    generateMask: (mask) => void mask.fill(0),
  });
  const stdout = process.stdout;
  const HIGH_WATER = 1 << 20;
  let reported = false;
  const box = { team: target.team, name: target.devbox };
  let stdin: StdinReader | undefined;

  return new Promise((resolve) => {
    const finish = (code: number) => {
      stdin?.stop();
      resolve(code);
    };
    ws.on("open", () => {
      stdin = readStdin({
        // Each chunk leaves as one frame as it was read (no copy); its buffer is reused once sent.
        data(chunk, done) {
          ws.send(chunk, { binary: true }, () => {
            done();
            if (ws.bufferedAmount < HIGH_WATER) stdin!.resume();
          });
          if (ws.bufferedAmount >= HIGH_WATER) stdin!.pause();
        },
        // ssh closed our stdin: it is done with the connection.
        end: () => ws.close(SshCloseCode.Normal),
      });
    });
    ws.on("message", (data: Buffer, isBinary) => {
      if (isBinary) {
        if (!stdout.write(data)) {
          ws.pause();
          stdout.once("drain", () => ws.resume());
        }
        return;
      }
      let m: SshServerMessage;
      try {
        m = JSON.parse(data.toString("utf8")) as SshServerMessage;
      } catch {
        return;
      }
      if (m.type === "status") stderr.write(`devbox: ${m.message}\n`);
      else {
        reported = true;
        stderr.write(`devbox: ${nameMissingDevbox(m.message, box)}\n`);
      }
    });
    ws.on("unexpected-response", (_req, res) => {
      stderr.write(`devbox: the dashboard refused the SSH connection (HTTP ${res.statusCode}). Is ${ctx.url} a Devbox dashboard?\n`);
      finish(res.statusCode === 401 ? Exit.Auth : Exit.Error);
    });
    ws.on("error", (err) => {
      if (!reported) stderr.write(`devbox: cannot reach the dashboard at ${ctx.url}: ${err.message}\n`);
      finish(Exit.Unavailable);
    });
    ws.on("close", (code, reason) => {
      if (!reported && code >= 4000) stderr.write(`devbox: ${nameMissingDevbox(reason.toString(), box) || `connection closed (${code})`}\n`);
      stdout.end(() => finish(exitFor(code)));
    });
  });
}

interface StdinReader {
  pause(): void;
  resume(): void;
  stop(): void;
}

/**
 * Reads stdin, which OpenSSH makes a pipe (a socket with ProxyUseFdpass), into reusable buffers
 * (lib/ssh/read-buffers.ts): no new ArrayBuffer per read. Anything else (a file, a terminal) is
 * read as Node reads stdin.
 */
function readStdin(on: { data(chunk: Buffer, done: () => void): void; end(): void }): StdinReader {
  let st: fs.Stats | undefined;
  try {
    st = fs.fstatSync(0);
  } catch {
    /* no stdin: Node's own stream reports it */
  }
  if (st?.isFIFO() || st?.isSocket()) {
    const reads = new ReadBuffers(RELAY_READ_BYTES);
    // `onread` is a documented option of new net.Socket() that @types/node lists only for net.connect.
    const sock = new net.Socket({ fd: 0, readable: true, writable: false, onread: reads.onread(on.data) } as net.SocketConstructorOpts);
    sock.on("end", on.end);
    sock.on("error", on.end);
    return { pause: () => sock.pause(), resume: () => sock.resume(), stop: () => sock.destroy() };
  }
  const stdin = process.stdin;
  stdin.on("data", (chunk: Buffer) => on.data(chunk, () => {}));
  stdin.on("end", on.end);
  return { pause: () => stdin.pause(), resume: () => stdin.resume(), stop: () => stdin.pause() };
}
