import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@/e2e/support/client";
import { actionIds } from "@/e2e/support/entry-points";
import { openApiWorld, type ApiWorld } from "./api-world";

// The `devbox` CLI, run as a user runs it (node cli/devbox.mjs, a fresh process per command),
// against the real dashboard on the bundled cluster: every command, --json parsed, exit codes,
// and bad input answered with a non-zero exit and one clear line on stderr.

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "cli/devbox.mjs");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe("devbox CLI against the real dashboard", () => {
  let w: ApiWorld;
  let home: string;
  let config: string;

  function devbox(args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: home,
        env: { ...process.env, HOME: home, DEVBOX_CONFIG: config, BROWSER: "true", ...opts.env },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (b) => (stdout += b));
      child.stderr.on("data", (b) => (stderr += b));
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 300_000);
      child.on("error", reject);
      child.on("exit", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      if (opts.input !== undefined) child.stdin.end(opts.input);
      else child.stdin.end();
    });
  }
  const json = <T,>(r: Run): T => {
    expect(r.code, `exit ${r.code}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout) as T;
  };
  /** A refusal: the exit code, and exactly one line on stderr that says why. */
  const refused = (r: Run, code: number, says: RegExp) => {
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(/^devbox: /);
    expect(r.stderr).toMatch(says);
  };

  beforeAll(async () => {
    w = await openApiWorld("cli");
    home = fs.mkdtempSync(path.join(os.tmpdir(), "devbox-cli-"));
    config = path.join(home, ".config/devbox/config.json");
  });
  afterAll(async () => {
    await w?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it("without a login: exit 4 and how to log in; usage errors: exit 2", async () => {
    refused(await devbox(["ls"]), 4, /not logged in: run devbox login/);
    refused(await devbox(["frobnicate"]), 2, /unknown command "frobnicate"/);
    refused(await devbox(["login", "not a url"]), 2, /is not a dashboard URL/);
    expect((await devbox(["--help"])).stdout).toContain("Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 auth");
  });

  it("login: device approval in the dashboard gives the CLI a token; config is 0600", async () => {
    const child = spawn(process.execPath, [BIN, "login", w.origin, "--no-browser", "--json", "--team", w.team], {
      cwd: home,
      env: { ...process.env, HOME: home, DEVBOX_CONFIG: config },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => (stderr += b));
    const exited = new Promise<number>((r) => child.on("exit", (c) => r(c ?? -1)));
    const code = await (async () => {
      for (let i = 0; i < 100 && !/code ([A-Z0-9]{4}-[A-Z0-9]{4})/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
      return /code ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(stderr)?.[1];
    })();
    expect(code, stderr).toBeDefined();
    expect(stderr).toContain(`${w.origin}/device?code=${code}`);
    // The approval page shows the same code to the signed-in user.
    const page = await fetch(`${w.origin}/device?code=${code}`, { headers: { Cookie: w.cookie } });
    expect(await page.text()).toContain(code);
    const approve = actionIds(ROOT).get("app/(auth)/device/actions.ts#decideDeviceLoginAction")!;
    const r = await new Client(w.origin, w.cookie).action(approve.id, approve.page, [code, true]);
    expect(r.outcome).toBe("ok");
    expect(await exited, stderr).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ url: w.origin, email: w.email, team: w.team });
    expect(fs.statSync(config).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(fs.readFileSync(config, "utf8")) as { token: string };
    expect(saved.token).toMatch(/^dbx_pat_/);
    // A second approval of the same code: it was used.
    expect((await new Client(w.origin, w.cookie).action(approve.id, approve.page, [code, true])).outcome).toBe("not_found");
  });

  it("login --token: checked before it is saved; a wrong one is refused (exit 4)", async () => {
    const created = await w.call("POST", "/api/v1/tokens", { body: { name: "cli-test", scopes: ["devboxes:read", "devboxes:write"] } });
    expect(created.status, created.text).toBe(201);
    const other = path.join(home, "other.json");
    const ok = json<{ email: string; team: string }>(await devbox(["login", w.origin, "--token", (created.json as { token: string }).token, "--json"], { env: { DEVBOX_CONFIG: other } }));
    expect(ok.email).toBe(w.email);
    refused(await devbox(["login", w.origin, "--token", "dbx_pat_wrong"], { env: { DEVBOX_CONFIG: path.join(home, "bad.json") } }), 4, /token was refused/);
    expect(fs.existsSync(path.join(home, "bad.json"))).toBe(false);
  });

  it("ls, start (with progress), ports, open", async () => {
    const list = json<{ name: string; status: { state: string } }[]>(await devbox(["ls", "--json"]));
    expect(list.map((d) => [d.name, d.status.state])).toEqual([["box", "Stopped"]]);
    expect((await devbox(["ls"])).stdout).toMatch(/^NAME\s+STATE.*\nbox\s+Stopped/);
    const start = await devbox(["start", "box", "--json"]);
    const started = json<{ name: string; status: { state: string } }>(start);
    expect(started.status.state).toBe("Running");
    expect(start.stderr).toContain("box: Running");
    expect(json<unknown[]>(await devbox(["ports", "box", "--json"]))).toEqual(expect.any(Array));
    const open = json<{ url: string }>(await devbox(["open", `box.${w.team}`, "--json"]));
    expect(open.url).toBe(`${w.origin}/t/${w.team}/devboxes/box`);
  });

  it("exec: stdout and stderr apart, the exit code, stdin piped", async () => {
    const r = await devbox(["exec", "box", "--", "sh", "-c", "echo out; echo err >&2; exit 7"]);
    expect(r).toEqual({ code: 7, stdout: "out\n", stderr: "err\n" });
    expect(await devbox(["exec", "box", "--", "cat"], { input: "piped\n" })).toEqual({ code: 0, stdout: "piped\n", stderr: "" });
    expect((await devbox(["exec", "box", "--", "pwd"])).stdout.trim()).toMatch(/^\/home\//);
    const missing = await devbox(["exec", "box", "--", "no-such-program-x"]);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain("not found");
    refused(await devbox(["exec", "box"]), 2, /usage: devbox exec/);
  });

  it("logs, commit (progress), snapshots, restart, stop", async () => {
    const logs = json<{ lines: string[] }>(await devbox(["logs", "box", "--json", "--tail", "50"]));
    expect(Array.isArray(logs.lines)).toBe(true);
    await devbox(["exec", "box", "--", "sh", "-c", "echo kept > ~/cli-file"]);
    const commit = await devbox(["commit", "box", "--json"]);
    const snap = json<{ id: string; trigger: string }>(commit);
    expect(snap.trigger).toBe("commit");
    expect(commit.stderr).toContain("box: committing");
    const snaps = json<{ id: string }[]>(await devbox(["snapshots", "box", "--json"]));
    expect(snaps.map((s) => s.id)).toContain(snap.id);
    const before = (await w.call("GET", `/api/v1/teams/${w.team}/devboxes/box`)).json as { podGeneration: number };
    const restarted = json<{ podGeneration: number; status: { state: string } }>(await devbox(["restart", "box", "--json"]));
    expect(restarted.podGeneration).toBeGreaterThan(before.podGeneration);
    expect(restarted.status.state).toBe("Running");
    expect((await devbox(["exec", "box", "--", "sh", "-c", "cat ~/cli-file"])).stdout).toBe("kept\n");
    const stopped = json<{ status: { state: string } }>(await devbox(["stop", "box", "--json"]));
    expect(stopped.status.state).toBe("Stopped");
  });

  it("create: resources and env from flags; --no-wait answers at once", async () => {
    const d = json<{ name: string; cpuMillis: number; memoryMiB: number; env: { name: string; value: string }[] }>(
      await devbox(["create", "cli-new", "--cpu", "0.25", "--memory", "256M", "--disk", "1G", "--env", "A=b=c", "--port", "3000:http", "--no-wait", "--json"]),
    );
    expect(d).toMatchObject({ name: "cli-new", cpuMillis: 250, memoryMiB: 256, env: [{ name: "A", value: "b=c" }] });
    // Where a person opens the port: its preview URL and who may open it, not only the in-cluster name.
    const ports = json<{ port: number; name: string; access: string; url: string; service: string }[]>(await devbox(["ports", "cli-new", "--json"]));
    expect(ports).toEqual([{ port: 3000, name: "http", access: "private", url: expect.stringMatching(/^http:\/\/3000--[a-z0-9-]+\.localhost:\d+\/$/), service: "cli-new:3000" }]);
    expect((await devbox(["ports", "cli-new"])).stdout).toMatch(/^PORT\s+NAME\s+ACCESS\s+PREVIEW URL\s+IN-CLUSTER\n3000\s+http\s+private\s+http:\/\/3000--/);
    json(await devbox(["stop", "cli-new", "--no-wait", "--json"]));
  });

  it("bad input and missing things: non-zero exit, one clear line", async () => {
    // The box is stopped (the test before stops it; again here so this one stands alone).
    json(await devbox(["stop", "box", "--json"]));
    refused(await devbox(["create"]), 2, /usage: devbox create/);
    refused(await devbox(["create", "Not_A_Name", "--no-wait"]), 2, /lower-case letters/);
    refused(await devbox(["create", "x", "--cpu", "lots"]), 2, /--cpu lots/);
    refused(await devbox(["create", "x", "--template", "cobol"]), 2, /no template "cobol"/);
    // The API's "Devbox not found" names nothing; the CLI names the box it asked for, whichever way it asked.
    const missing = new RegExp(`^devbox: Devbox "no-such-box" not found in team "${w.team}"$`, "m");
    refused(await devbox(["start", "no-such-box"]), 3, missing);
    refused(await devbox(["snapshots", "no-such-box"]), 3, missing);
    refused(await devbox(["logs", "no-such-box"]), 3, missing);
    refused(await devbox(["exec", "no-such-box", "--", "true"]), 3, missing);
    refused(await devbox(["ls", "--team", "no-such-team"]), 3, /Team not found/);
    refused(await devbox(["snapshots", "BAD!"]), 2, /is not a devbox name/);
    refused(await devbox(["logs", "box"]), 1, /no running Pod/);
    refused(await devbox(["logs", "box", "--tail", "0"]), 2, /^devbox: --tail 0: give a number of lines from 1 to 5000$/m);
    refused(await devbox(["logs", "box", "--tail", "lots"]), 2, /--tail lots: give a number of lines/);
    refused(await devbox(["exec", "box", "--", "true"]), 1, /not running|stopped/);
    refused(await devbox(["commit", "box"]), 1, /box is stopped: only a running devbox is committed/);
    refused(await devbox(["ls", "--bogus"]), 2, /Unknown option '--bogus'/);
  });

  it("ssh: <box> alone is <box>.<team> of the login, as for every other command", async () => {
    // `ssh -G` prints the configuration OpenSSH resolved for the host it was given, without connecting.
    const short = await devbox(["ssh", "box", "-G"]);
    expect(short.code, short.stderr).toBe(0);
    expect(short.stdout).toMatch(new RegExp(`^hostname box\\.${w.team}$`, "m"));
    const full = await devbox(["ssh", `box.${w.team}`, "-G"]);
    expect(full.stdout).toMatch(new RegExp(`^hostname box\\.${w.team}$`, "m"));
    refused(await devbox(["ssh", "Not_A_Box"]), 2, /usage: devbox ssh/);
    // No config-ssh ran in this HOME: ssh cannot resolve the alias, and the CLI says what to run.
    const unknown = await devbox(["ssh", "box", "--", "true"]);
    expect(unknown.code).toBe(255);
    expect(unknown.stderr).toContain(`devbox: box.${w.team} is not in ~/.ssh/devbox/config: run devbox config-ssh (again after creating a devbox)\n`);
  });

  it("a revoked token: exit 4 with the reason", async () => {
    const tokens = ((await w.call("GET", "/api/v1/tokens")).json as { items: { id: string; name: string }[] }).items;
    for (const t of tokens) expect((await w.call("DELETE", `/api/v1/tokens/${t.id}`)).status).toBe(204);
    refused(await devbox(["ls"]), 4, /revoked|token/i);
  });
});
