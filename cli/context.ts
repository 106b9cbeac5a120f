import type { ParseArgsConfig } from "node:util";
import type { Api } from "./http";

/** What every command gets: the login, the API, the output mode. */
export interface Context {
  url: string;
  token: string;
  /** The team: --team, a `box.team` argument, or the one saved by login. */
  team: string;
  json: boolean;
  api: Api;
  configFile: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  /** What followed `--` (exec's command). */
  rest: string[];
}

export interface Command {
  name: string;
  summary: string;
  /** Arguments after the command name, e.g. "<box> [--no-wait]". */
  usage: string;
  options?: NonNullable<ParseArgsConfig["options"]>;
  /** Runs without a saved login (login itself). */
  anonymous?: boolean;
  /** Parses its own arguments: they all arrive in `rest` (ssh, config-ssh). */
  passthrough?: boolean;
  run(ctx: Context, args: Parsed): Promise<number | void>;
}

/** Prints an object as JSON (--json) or a human line. */
export function print(ctx: Context, json: unknown, human: string): void {
  ctx.stdout.write(ctx.json ? JSON.stringify(json, null, 2) + "\n" : human.endsWith("\n") ? human : human + "\n");
}

/** A table with a header, columns padded to their widest cell. */
export function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? "").padEnd(widths[i]))).join("  ")).join("\n") + "\n";
}

/** Progress for people, on stderr (stdout stays parseable). */
export function progress(ctx: Context, line: string): void {
  ctx.stderr.write(`${line}\n`);
}
