import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiWorld, type ApiWorld } from "./api-world";
import { eventually } from "./devbox-harness";
import { CLI, SshHome } from "./ssh-harness";

// `devbox config-ssh` end to end against the real dashboard (production build): the CLI uploads
// the user's key, asks for the SSH hosts over REST with a token, writes ~/.ssh/devbox/{config,
// known_hosts} and the Include; then Debian's ssh uses exactly those files (ProxyCommand = the
// same CLI) with host key checking on.

describe("devbox config-ssh against the real dashboard", () => {
  let w: ApiWorld;
  const home = new SshHome();
  let token: string;

  beforeAll(async () => {
    w = await openApiWorld("cfgssh");
    const started = await w.call("PUT", `/api/v1/teams/${w.team}/devboxes/box/state`, { body: { state: "running" } });
    expect(started.status, started.text).toBe(202);
    const created = await w.call("POST", "/api/v1/tokens", { body: { name: "cli", scopes: ["devboxes:read", "devboxes:ssh"] } });
    expect(created.status, created.text).toBe(201);
    token = (created.json as { token: string }).token;
    await home.init();
    await eventually("box Running", async () => ((await w.call("GET", `/api/v1/teams/${w.team}/devboxes/box`)).json as { status?: { state?: string } }).status?.state === "Running" || undefined, 180_000);
  }, 300_000);

  afterAll(async () => {
    await w?.close();
    home.remove();
  }, 300_000);

  const devbox = (args: string[], tok = token) => home.exec(CLI[0], [...CLI.slice(1), ...args], home.env(w.origin, tok), 120_000);

  it("writes the Include, a Host block and the published host key; ssh then works through it", async () => {
    const r = await devbox(["config-ssh", "--add-key", `${home.key}.pub`]);
    expect(r.code, r.stderr).toBe(0);
    const host = `box.${w.team}`;
    expect(r.stdout).toContain(`ssh ${host}`);
    const userConfig = fs.readFileSync(path.join(home.dir, ".ssh", "config"), "utf8");
    expect(userConfig.split("\n")[0]).toBe(`Include ${path.join(home.dir, ".ssh", "devbox", "config")}`);
    const cfg = fs.readFileSync(path.join(home.dir, ".ssh", "devbox", "config"), "utf8");
    expect(cfg).toContain(`Host ${host}\n`);
    expect(cfg).toMatch(/ProxyCommand .*devbox\.mjs ssh --stdio %h/);
    expect(cfg).toContain("StrictHostKeyChecking yes");
    expect(fs.readFileSync(home.knownHosts, "utf8")).toMatch(new RegExp(`^${host.replace(/\./g, "\\.")} ssh-ed25519 \\S+$`, "m"));

    // Run again: the Include stays single, the key is not added twice.
    expect((await devbox(["config-ssh", "--add-key", `${home.key}.pub`])).code).toBe(0);
    expect(fs.readFileSync(path.join(home.dir, ".ssh", "config"), "utf8").match(/^Include /gm)).toHaveLength(1);
    expect(((await w.call("GET", "/api/v1/ssh-keys")).json as { items: unknown[] }).items).toHaveLength(1);

    const ssh = await home.exec("ssh", [...home.opts(), host, "echo via-config-ssh; hostname"], home.env(w.origin, token));
    expect(ssh.code, ssh.stderr).toBe(0);
    expect(ssh.stdout).toContain("via-config-ssh");
  }, 180_000);

  it("a bad token: non-zero exit and one clear line", async () => {
    const r = await devbox(["config-ssh"], "dbx_pat_" + "z".repeat(43));
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^devbox: This API token is not valid/);
  });
});
