import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CliError, Exit } from "./errors";

/** What `devbox login` saves: the dashboard, an API token, the default team. */
export interface CliConfig {
  url: string;
  token: string;
  team?: string;
  email?: string;
}

/** ~/.config/devbox/config.json ($XDG_CONFIG_HOME honoured; $DEVBOX_CONFIG names another file). */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DEVBOX_CONFIG) return env.DEVBOX_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), ".config");
  return path.join(base, "devbox", "config.json");
}

export function readConfig(file = configPath()): CliConfig | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const c = JSON.parse(text) as Partial<CliConfig>;
    return typeof c.url === "string" && typeof c.token === "string" ? (c as CliConfig) : undefined;
  } catch {
    throw new CliError(Exit.Error, `${file} is not valid JSON: fix or delete it, then run devbox login`);
  }
}

/** Written with mode 0600 in a 0700 directory: it holds a token. */
export function writeConfig(config: CliConfig, file = configPath()): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}
