import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { SshHost } from "@/lib/ssh/hosts";
import { INCLUDE_DIR, renderKnownHosts, renderSshConfig, withInclude } from "@/lib/ssh/ssh-config";
import { Exit, exitForStatus } from "../errors";

/**
 * `devbox config-ssh [--json] [--add-key <file.pub>]`: asks the dashboard for the devboxes the
 * token may SSH into (GET /api/v1/ssh/hosts), writes ~/.ssh/devbox/config (a Host block each,
 * ProxyCommand `devbox ssh --stdio %h`) and ~/.ssh/devbox/known_hosts (their published host
 * keys: checking stays on), and includes the file once from ~/.ssh/config. `--add-key` uploads a
 * public key first (POST /api/v1/ssh-keys). Run it again after creating or deleting devboxes.
 */
export interface ConfigSshContext {
  url: string;
  token: string;
  /** How to run this CLI from ProxyCommand, e.g. ["devbox"] or ["/usr/bin/node", "/x/cli/main.ts"]. */
  self: string[];
  home?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export async function configSshCommand(args: string[], ctx: ConfigSshContext): Promise<number> {
  const out = ctx.stdout ?? process.stdout;
  const err = ctx.stderr ?? process.stderr;
  let json: boolean, addKey: string | undefined;
  try {
    const { values } = parseArgs({ args, options: { json: { type: "boolean" }, "add-key": { type: "string" } }, strict: true, allowPositionals: false });
    json = values.json ?? false;
    addKey = values["add-key"];
  } catch (e) {
    err.write(`devbox: ${(e as Error).message}\ndevbox: usage: devbox config-ssh [--json] [--add-key <file.pub>]\n`);
    return Exit.Usage;
  }
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(new URL(p, ctx.url), {
      method,
      headers: { Authorization: `Bearer ${ctx.token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = (await res.json().catch(() => ({}))) as { error?: { message: string } };
    if (!res.ok) throw Object.assign(new Error(data.error?.message ?? `HTTP ${res.status}`), { status: res.status });
    return data;
  };
  try {
    if (addKey) {
      const file = addKey;
      const key = await api("POST", "/api/v1/ssh-keys", { name: path.basename(file), publicKey: fs.readFileSync(file, "utf8") }).catch((e: Error & { status?: number }) => {
        if (e.status === 409) return null; // already there
        throw e;
      });
      if (key && !json) out.write(`Added SSH key ${path.basename(file)}.\n`);
    }
    const { items: hosts } = (await api("GET", "/api/v1/ssh/hosts")) as unknown as { items: SshHost[] };
    const home = ctx.home ?? os.homedir();
    const dir = path.join(home, INCLUDE_DIR);
    fs.mkdirSync(path.join(home, ".ssh"), { recursive: true, mode: 0o700 });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const knownHostsPath = path.join(dir, "known_hosts");
    const configPath = path.join(dir, "config");
    writeAtomic(knownHostsPath, renderKnownHosts(hosts));
    writeAtomic(configPath, renderSshConfig({ hosts, proxyCommand: ctx.self, knownHostsPath, dashboard: ctx.url }));
    const userConfig = path.join(home, ".ssh", "config");
    const before = fs.existsSync(userConfig) ? fs.readFileSync(userConfig, "utf8") : "";
    const after = withInclude(before, configPath);
    if (after !== before) writeAtomic(userConfig, after);
    const usable = hosts.filter((h) => h.hostKeys.length > 0);
    if (json) out.write(JSON.stringify({ config: configPath, knownHosts: knownHostsPath, hosts: usable.map((h) => h.host), pending: hosts.filter((h) => !h.hostKeys.length).map((h) => h.host) }) + "\n");
    else {
      out.write(`Wrote ${configPath} (${usable.length} devbox${usable.length === 1 ? "" : "es"}) and ${knownHostsPath}.\n`);
      for (const h of usable) out.write(`  ssh ${h.host}\n`);
      for (const h of hosts.filter((h) => !h.hostKeys.length)) out.write(`  (${h.host}: start it once, then run devbox config-ssh again)\n`);
      if (after !== before) out.write(`Added "Include ${configPath}" to ${userConfig}.\n`);
    }
    return Exit.Ok;
  } catch (e) {
    const status = (e as { status?: number }).status;
    err.write(`devbox: ${(e as Error).message}\n`);
    return status ? exitForStatus(status) : Exit.Unavailable;
  }
}

function writeAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
