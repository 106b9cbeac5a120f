import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error plain JavaScript (it runs before tsx), no declarations
import { freshBundle } from "../../cli/ssh-stdio-cache.mjs";
import { eventually } from "./devbox-harness";

// `devbox ssh --stdio` (OpenSSH's ProxyCommand, one process per connection) runs from a cached
// bundle of cli/ssh-stdio.ts when it is current, and through tsx otherwise: the same lines and
// exit codes either way; a stale bundle is rebuilt in the background. No cluster needed.

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "cli/devbox.mjs");
const MARK = "[from the cached bundle]";

describe("devbox ssh --stdio from its cached bundle", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "devbox-cli-cache-"));
  const cache = path.join(dir, "cache");
  const config = path.join(dir, "config.json");
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, HOME: dir, DEVBOX_CONFIG: config, DEVBOX_CLI_CACHE: cache, ...env }, stdio: ["pipe", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      child.stdin.end();
      child.on("exit", (code) => resolve({ code, stderr }));
    });
  const build = (into = cache) =>
    new Promise<void>((resolve, reject) =>
      spawn(process.execPath, [path.join(ROOT, "cli/ssh-stdio-cache.mjs"), "build"], { env: { ...process.env, DEVBOX_CLI_CACHE: into }, stdio: "inherit" }).on("exit", (c) => (c === 0 ? resolve() : reject(new Error(`build exited ${c}`)))),
    );
  const closedPort = () =>
    new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });

  it("answers like the tsx path (not logged in, bad host, dashboard unreachable), from the bundle once built", async () => {
    fs.rmSync(config, { force: true });
    const cases: { args: string[]; code: number; line: RegExp; login?: boolean }[] = [
      { args: ["ssh", "--stdio", "box.team"], code: 4, line: /^devbox: not logged in: run devbox login <dashboard url>$/m },
      { args: ["ssh", "--stdio", "not_a_host"], code: 2, line: /^devbox: usage: devbox ssh \[--stdio\] <box>\[\.<team>\]/m, login: true },
      { args: ["ssh", "--stdio", "box.team"], code: 5, line: /^devbox: cannot reach the dashboard at http:\/\/127\.0\.0\.1:\d+: /m, login: true },
    ];
    const port = await closedPort();
    const answers = async (cached: boolean) => {
      for (const c of cases) {
        if (c.login) fs.writeFileSync(config, JSON.stringify({ url: `http://127.0.0.1:${port}`, token: "dbx_pat_" + "x".repeat(43) }), { mode: 0o600 });
        else fs.rmSync(config, { force: true });
        const r = await run(c.args, cached ? {} : { DEVBOX_CLI_CACHE: "off" });
        expect(r.code, r.stderr).toBe(c.code);
        expect(r.stderr).toMatch(c.line);
        expect(r.stderr.includes(MARK)).toBe(cached);
      }
    };
    await answers(false);
    await build();
    const bundle = freshBundle(cache) as string;
    expect(bundle).toBe(path.join(cache, "ssh-stdio.mjs"));
    // A mark in the bundle (its inputs unchanged, so it stays current) shows which path ran.
    fs.appendFileSync(bundle, `\nprocess.stderr.write(${JSON.stringify(MARK + "\n")});\n`);
    expect(freshBundle(cache)).toBe(bundle);
    await answers(true);
  }, 120_000);

  it("a changed input makes the bundle stale: the command runs through tsx and the bundle is rebuilt in the background", async () => {
    await build();
    fs.appendFileSync(path.join(cache, "ssh-stdio.mjs"), `\nprocess.stderr.write(${JSON.stringify(MARK + "\n")});\n`);
    const manifest = path.join(cache, "manifest.json");
    const m = JSON.parse(fs.readFileSync(manifest, "utf8")) as { inputs: Record<string, { mtimeMs: number }> };
    const ssh = Object.keys(m.inputs).find((f) => f.endsWith(path.join("cli", "commands", "ssh.ts")))!;
    expect(ssh).toBeTruthy();
    m.inputs[ssh].mtimeMs -= 1000; // as if cli/commands/ssh.ts changed since the build
    fs.writeFileSync(manifest, JSON.stringify(m));
    expect(freshBundle(cache)).toBeNull();

    fs.rmSync(config, { force: true });
    const r = await run(["ssh", "--stdio", "box.team"]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).not.toContain(MARK);
    // Current again, and the build's lock released.
    const rebuilt = await eventually("the rebuilt bundle", async () => (fs.existsSync(path.join(cache, "building")) ? undefined : (freshBundle(cache) ?? undefined)), 60_000);
    expect(fs.readFileSync(rebuilt, "utf8")).not.toContain(MARK);
  }, 120_000);

  it("an input changed while the build runs leaves no current bundle (not one built from its old content)", async () => {
    const other = path.join(dir, "cache-during-edit");
    // Content unchanged; only the mtime says "edited after the build started" (restored after).
    const input = path.join(ROOT, "cli/ssh-stdio.ts");
    const { atime, mtime } = fs.statSync(input);
    fs.utimesSync(input, atime, new Date(Date.now() + 60_000));
    try {
      await build(other);
      expect(fs.existsSync(path.join(other, "manifest.json"))).toBe(false);
      expect(freshBundle(other)).toBeNull();
    } finally {
      fs.utimesSync(input, atime, mtime);
    }
    // The same inputs unedited: built and current.
    await build(other);
    expect(freshBundle(other)).toBe(path.join(other, "ssh-stdio.mjs"));
  }, 120_000);
});
