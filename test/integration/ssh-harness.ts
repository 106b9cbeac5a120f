import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { SshHost } from "@/lib/ssh/hosts";
import { renderKnownHosts, renderSshConfig, withInclude } from "@/lib/ssh/ssh-config";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");

/** How ProxyCommand runs the `devbox` CLI here: the repository's bin (cli/devbox.mjs). */
export const CLI = [process.execPath, path.join(ROOT, "cli/devbox.mjs")];

/**
 * A throwaway HOME with a fresh user key and config-ssh's files. OpenSSH takes `~` from the
 * password database, not $HOME, so every ssh gets `-F <home>/.ssh/config` and the key explicitly.
 */
export class SshHome {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "devbox-ssh-"));
  readonly key = path.join(this.dir, ".ssh", "id_ed25519");

  async init(): Promise<string> {
    fs.mkdirSync(path.join(this.dir, ".ssh"), { mode: 0o700 });
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "it@devbox", "-f", this.key]);
    return fs.readFileSync(`${this.key}.pub`, "utf8");
  }

  /** What config-ssh writes, for these hosts. */
  writeConfig(hosts: SshHost[], dashboard: string): void {
    const dir = path.join(this.dir, ".ssh", "devbox");
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const knownHostsPath = path.join(dir, "known_hosts");
    fs.writeFileSync(knownHostsPath, renderKnownHosts(hosts));
    fs.writeFileSync(path.join(dir, "config"), renderSshConfig({ hosts, proxyCommand: CLI, knownHostsPath, dashboard }));
    const user = path.join(this.dir, ".ssh", "config");
    fs.writeFileSync(user, withInclude(fs.existsSync(user) ? fs.readFileSync(user, "utf8") : "", path.join(dir, "config")));
  }

  get knownHosts(): string {
    return path.join(this.dir, ".ssh", "devbox", "known_hosts");
  }

  /** OpenSSH client options every call gets (config, key, batch mode: never a prompt). */
  opts(): string[] {
    return ["-F", path.join(this.dir, ".ssh", "config"), "-i", this.key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=60"];
  }

  /** The environment of a client run: the CLI's config (what `devbox login` writes) names this dashboard and token. */
  env(url: string, token: string): NodeJS.ProcessEnv {
    const file = path.join(this.dir, ".config", "devbox", `${token.slice(-12)}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, JSON.stringify({ url, token }), { mode: 0o600 });
    return { ...process.env, HOME: this.dir, DEVBOX_CONFIG: file };
  }

  /** Runs a client (ssh, scp, rsync) and resolves with its exit code and output; onStdout sees the output so far as it comes. */
  exec(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000, onStdout?: (soFar: string) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
        onStdout?.(stdout);
      });
      child.stderr.on("data", (d) => (stderr += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.on("exit", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  background(cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    return spawn(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
