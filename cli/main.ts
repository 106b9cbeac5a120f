import path from "node:path";
import { parseArgs } from "node:util";
import { configPath, readConfig } from "./config";
import type { Command, Context, Parsed } from "./context";
import { CliError, Exit, usage } from "./errors";
import { Api } from "./http";
import { commitCommand } from "./commands/commit";
import { createCommand } from "./commands/create";
import { execCommand } from "./commands/exec";
import { restartCommand, startCommand, stopCommand } from "./commands/lifecycle";
import { loginCommand } from "./commands/login";
import { logsCommand } from "./commands/logs";
import { lsCommand } from "./commands/ls";
import { openCommand } from "./commands/open";
import { portsCommand } from "./commands/ports";
import { snapshotsCommand } from "./commands/snapshots";
import { configSshCommand } from "./commands/config-ssh";
import { sshCommand } from "./commands/ssh";

// How OpenSSH's ProxyCommand runs this CLI again: this node, this entry point.
const SELF = [process.execPath, path.join(import.meta.dirname, "devbox.mjs")];

/** The commands, in `devbox help` order. A new one is a file in cli/commands/ and a line here. */
const COMMANDS: Command[] = [
  loginCommand,
  lsCommand,
  createCommand,
  startCommand,
  stopCommand,
  restartCommand,
  commitCommand,
  snapshotsCommand,
  logsCommand,
  execCommand,
  portsCommand,
  openCommand,
  {
    name: "ssh",
    summary: "SSH into a devbox (--stdio: OpenSSH's ProxyCommand)",
    usage: "[--stdio] <box>[.<team>] [command…]",
    passthrough: true,
    run: (ctx, a) => sshCommand(a.rest, { url: ctx.url, token: ctx.token, team: ctx.team, stderr: ctx.stderr }),
  },
  {
    name: "config-ssh",
    summary: "Write ~/.ssh/devbox/config (a Host per devbox, published host keys)",
    usage: "[--json] [--add-key <file.pub>]",
    passthrough: true,
    run: (ctx, a) => configSshCommand(a.rest, { url: ctx.url, token: ctx.token, self: SELF, stdout: ctx.stdout, stderr: ctx.stderr }),
  },
];

const GLOBAL = {
  json: { type: "boolean" },
  team: { type: "string", short: "t" },
  help: { type: "boolean", short: "h" },
} as const;

function help(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "devbox — cloud development environments from the command line",
    "",
    "Usage: devbox <command> [options]",
    "",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    "",
    "Options: --json (machine-readable output), --team/-t <team>, --help/-h",
    "A devbox is named <box> (in the default team) or <box>.<team>.",
    "Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 auth, 5 unavailable (exec: the command's own code).",
    "",
  ].join("\n");
}

export async function main(argv: string[], io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const [name, ...restArgs] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    stdout.write(help());
    return name ? Exit.Ok : Exit.Usage;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw usage(`unknown command "${name}" (devbox help lists them)`);
    const dashdash = restArgs.indexOf("--");
    const own = dashdash < 0 ? restArgs : restArgs.slice(0, dashdash);
    const rest = dashdash < 0 ? [] : restArgs.slice(dashdash + 1);
    let parsed: Parsed = { values: {}, positionals: [], rest: restArgs };
    if (!command.passthrough) {
      try {
        const { values, positionals } = parseArgs({ args: own, options: { ...GLOBAL, ...command.options }, allowPositionals: true, strict: true });
        parsed = { values, positionals, rest };
      } catch (err) {
        throw usage(`${(err as Error).message.split("\n")[0].split(". ")[0]} (usage: devbox ${command.name} ${command.usage})`);
      }
    }
    if (parsed.values.help) {
      stdout.write(`Usage: devbox ${command.name} ${command.usage}\n${command.summary}\n`);
      return Exit.Ok;
    }
    const file = configPath();
    const config = readConfig(file);
    if (!config && !command.anonymous) throw new CliError(Exit.Auth, "not logged in: run devbox login <dashboard url>");
    const ctx: Context = {
      url: config?.url ?? "",
      token: config?.token ?? "",
      team: (parsed.values.team as string | undefined) ?? config?.team ?? "",
      json: !!parsed.values.json,
      api: new Api(config?.url ?? "http://invalid", config?.token),
      configFile: file,
      stdout,
      stderr,
    };
    return (await command.run(ctx, parsed)) ?? Exit.Ok;
  } catch (err) {
    if (err instanceof CliError) {
      stderr.write(`devbox: ${err.message}\n`);
      return err.exitCode;
    }
    stderr.write(`devbox: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    return Exit.Error;
  }
}
