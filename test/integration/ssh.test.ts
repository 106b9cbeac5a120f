import "./ssh-env";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import { auditEvents } from "@/db/schema/audit-events";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { createDevbox, stopDevbox } from "@/lib/devboxes/service";
import { randomSuffix } from "@/lib/ids";
import { kubeConfig } from "@/lib/k8s/config";
import { listSshHosts } from "@/lib/ssh/hosts";
import { sshPath } from "@/lib/ssh/protocol";
import { addSshKey } from "@/lib/ssh/user-keys";
import { addMember, createTeam } from "@/lib/teams/service";
import { listTeamsForUser } from "@/lib/teams/queries";
import { listTemplates, seedBuiltinTemplates } from "@/lib/templates/queries";
import { TerminalClient } from "@/lib/terminal/node-client";
import { terminalPath } from "@/lib/terminal/protocol";
import { execPath } from "@/lib/exec/protocol";
import { WebSocket } from "ws";
import { createToken, revokeToken } from "@/lib/tokens/service";
import type { TokenScope } from "@/lib/tokens/scopes";
import { registerUser } from "@/lib/users/register";
import { untilListening } from "./cluster-helpers";
import { adminCore, waitForState } from "./devbox-harness";
import { SshHome } from "./ssh-harness";
import { installTestDatabase, startTerminalBackend } from "./terminal-harness";

// SSH end to end with Debian's OpenSSH client: config-ssh's files in a throwaway HOME, the
// `devbox ssh --stdio` ProxyCommand as a real process, the dashboard's SSH websocket, TCP to the
// Pod IP (the default here) or Kubernetes port-forward, and the devbox's own sshd. Host key
// checking is on throughout.

describe("ssh through the dashboard against the bundled cluster", () => {
  let db: Database;
  let closeDb: () => Promise<void>;
  let backend: Awaited<ReturnType<typeof startTerminalBackend>> | undefined;
  let owner: User, viewer: User, stranger: User;
  let team: Team, strangerTeam: Team;
  let url: string;
  const home = new SshHome();
  let token: string;
  let host: string;

  const tokenFor = async (u: User, scopes: TokenScope[], extra: { team?: string; devboxes?: string[] } = {}) =>
    (await createToken(db, u, { name: `it-${randomSuffix()}`, scopes, ...extra })).token;
  const ssh = (args: string[], tok = token, timeoutMs?: number) => home.exec("ssh", [...home.opts(), ...args], home.env(url, tok), timeoutMs);

  beforeAll(async () => {
    ({ db, close: closeDb } = await installTestDatabase());
    await seedBuiltinTemplates(db);
    const templateId = (await listTemplates(db)).find((t) => t.name === "debian")!.id;
    owner = await registerUser(db, { email: `ssh-${randomSuffix()}@example.com`, password: "correct horse 7" });
    viewer = await registerUser(db, { email: `sshv-${randomSuffix()}@example.com`, password: "correct horse 7" });
    stranger = await registerUser(db, { email: `sshs-${randomSuffix()}@example.com`, password: "correct horse 7" });
    team = await createTeam(db, owner.id, { slug: `ssh-${randomSuffix()}` });
    [strangerTeam] = await listTeamsForUser(db, stranger.id);
    await addMember(db, owner.id, team, viewer.email, "viewer");
    backend = await startTerminalBackend(db);
    await import("@/server/ws/ssh"); // registers the SSH endpoint on the same dispatcher
    await import("@/server/ws/exec"); // and exec's
    url = backend.origin;
    // Small requests: the node is shared by every test run.
    await createDevbox(db, team, owner.id, { name: "box", templateId, cpuMillis: 500, memoryMiB: 512, diskMiB: 2048 });
    // Another user's devbox: only its record matters (refused before anything runs).
    await createDevbox(db, strangerTeam, stranger.id, { name: "theirs", templateId, cpuMillis: 250, memoryMiB: 256, diskMiB: 1024 });
    await stopDevbox(db, strangerTeam, stranger.id, "theirs");
    await waitForState(db, team, "box", "Running");
    await addSshKey(db, owner.id, { name: "it", publicKey: await home.init() });
    token = await tokenFor(owner, ["devboxes:ssh"]);
    const hosts = await listSshHosts(kubeConfig(), db, owner);
    host = hosts.find((h) => h.devbox === "box")!.host;
    expect(hosts.find((h) => h.devbox === "box")!.hostKeys[0]).toMatch(/^ssh-ed25519 /);
    // A devbox in a team the owner is not in is not listed.
    expect(hosts.some((h) => h.devbox === "theirs")).toBe(false);
    home.writeConfig([...hosts, { host: `theirs.${strangerTeam.slug}`, team: strangerTeam.slug, devbox: "theirs", user: "devbox", workingDir: "/", hostKeys: hosts[0].hostKeys }], url);
  }, 240_000);

  afterAll(async () => {
    await backend?.stop();
    for (const t of [team, strangerTeam]) if (t) await adminCore.deleteNamespace({ name: t.namespace }).catch(() => {});
    for (const u of [owner, viewer]) if (u) for (const t of await listTeamsForUser(db, u.id)) if (t.personal) await adminCore.deleteNamespace({ name: t.namespace }).catch(() => {});
    await closeDb?.();
    home.remove();
  });

  it("`ssh box.team true` and a remote command, with the published host key checked", async () => {
    const r = await ssh([host, "true"]);
    expect(r.stderr).not.toMatch(/WARNING|Permanently added/);
    expect(r.code, r.stderr).toBe(0);
    const os = await ssh([host, "cat /etc/os-release; id -un; pwd"]);
    expect(os.code, os.stderr).toBe(0);
    expect(os.stdout).toMatch(/ID=debian/);
    expect(os.stdout).toMatch(/^devbox$/m);
    const audit = await db.select().from(auditEvents).where(eq(auditEvents.action, "devbox.ssh"));
    expect(audit.some((a) => a.target === "box" && a.actorId === owner.id && (a.details as { via?: string }).via === "token")).toBe(true);
    // The default transport ("auto", lib/ssh/tunnel.ts) goes to the Pod IP when the dashboard reaches it, as here.
    expect(audit.filter((a) => a.target === "box").every((a) => (a.details as { transport?: string }).transport === "direct")).toBe(true);
  });

  // Both transports carry the same stream: port-forward is what a dashboard outside the cluster network uses.
  it.each(["port-forward", "direct"] as const)("scp moves 50 MB both ways intact (%s)", async (transport) => {
    process.env.DEVBOX_SSH_TRANSPORT = transport;
    onTestFinished(() => void delete process.env.DEVBOX_SSH_TRANSPORT);
    const auditOf = () => db.select().from(auditEvents).where(eq(auditEvents.action, "devbox.ssh"));
    const before = new Set((await auditOf()).map((a) => a.id));
    const up = path.join(home.dir, "up.bin");
    const down = path.join(home.dir, "down.bin");
    const data = randomBytes(50 * 1024 * 1024);
    fs.writeFileSync(up, data);
    const sum = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    const put = await home.exec("scp", [...home.opts(), up, `${host}:/tmp/up.bin`], home.env(url, token));
    expect(put.code, put.stderr).toBe(0);
    const remote = await ssh([host, "sha256sum /tmp/up.bin"]);
    expect(remote.stdout.split(" ")[0]).toBe(sum(data));
    const get = await home.exec("scp", [...home.opts(), `${host}:/tmp/up.bin`, down], home.env(url, token));
    expect(get.code, get.stderr).toBe(0);
    expect(sum(fs.readFileSync(down))).toBe(sum(data));
    const audit = (await auditOf()).filter((a) => !before.has(a.id));
    expect(audit.length).toBeGreaterThanOrEqual(3);
    expect(audit.map((a) => (a.details as { transport?: string }).transport)).toEqual(audit.map(() => transport));
  }, 300_000);

  it("ssh -L and ssh -N -D reach a server listening inside the devbox", async () => {
    // A tiny TCP server in the devbox (perl is in every Debian image), on its loopback only.
    const server = `perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(LocalAddr=>"127.0.0.1",LocalPort=>8765,Listen=>5,ReuseAddr=>1) or die; while($c=$s->accept){print $c "hello-from-devbox\\n"; close $c}'`;
    const started = await ssh([host, `setsid nohup ${server} </dev/null >/dev/null 2>&1 & ${untilListening(8765)} && echo started`]);
    expect(started.stdout, started.stderr).toContain("started");

    const lport = await freePort();
    const fwd = home.background("ssh", [...home.opts(), "-N", "-o", "ExitOnForwardFailure=yes", "-L", `127.0.0.1:${lport}:127.0.0.1:8765`, host], home.env(url, token));
    try {
      expect(await eventuallyRead(() => readLine(net.connect(lport, "127.0.0.1")))).toBe("hello-from-devbox");
    } finally {
      fwd.kill();
    }

    const dport = await freePort();
    const socks = home.background("ssh", [...home.opts(), "-N", "-o", "ExitOnForwardFailure=yes", "-D", `127.0.0.1:${dport}`, host], home.env(url, token));
    try {
      expect(await eventuallyRead(() => socks5Line(dport, 8765))).toBe("hello-from-devbox");
    } finally {
      socks.kill();
    }
  }, 120_000);

  it("rsync -e ssh copies a tree there and back", async () => {
    // The devbox image has no rsync: give it the host's (same Debian release) with the two
    // libraries the image lacks, in ~/.rsync, and point --rsync-path at it.
    const libs = ["libpopt.so.0", "libxxhash.so.0"].map((l) => fs.realpathSync(`/lib/x86_64-linux-gnu/${l}`));
    const mk = await ssh([host, "mkdir -p ~/.rsync"]);
    expect(mk.code, mk.stderr).toBe(0);
    const put = await home.exec("scp", [...home.opts(), "/usr/bin/rsync", ...libs, `${host}:.rsync/`], home.env(url, token));
    expect(put.code, put.stderr).toBe(0);
    const link = await ssh([host, "cd ~/.rsync && ln -sf libpopt.so.0.* libpopt.so.0 && ln -sf libxxhash.so.0.* libxxhash.so.0 && LD_LIBRARY_PATH=. ./rsync --version | head -1"]);
    expect(link.stdout, link.stderr).toMatch(/rsync\s+version/);

    const src = path.join(home.dir, "tree");
    fs.mkdirSync(path.join(src, "sub"), { recursive: true });
    for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(src, i % 2 ? "sub" : "", `f${i}.txt`), `file ${i} ${randomBytes(512).toString("hex")}`);
    const e = ["ssh", ...home.opts()].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(" ");
    const rsyncPath = "LD_LIBRARY_PATH=/home/devbox/.rsync /home/devbox/.rsync/rsync";
    const there = await home.exec("rsync", ["-a", "-e", e, `--rsync-path=${rsyncPath}`, `${src}/`, `${host}:/tmp/tree/`], home.env(url, token));
    expect(there.code, there.stderr).toBe(0);
    const back = path.join(home.dir, "tree-back");
    const again = await home.exec("rsync", ["-a", "-e", e, `--rsync-path=${rsyncPath}`, `${host}:/tmp/tree/`, `${back}/`], home.env(url, token));
    expect(again.code, again.stderr).toBe(0);
    const list = (d: string) => fs.readdirSync(d, { recursive: true }).map(String).sort();
    expect(list(back)).toEqual(list(src));
    expect(fs.readFileSync(path.join(back, "sub", "f7.txt"), "utf8")).toBe(fs.readFileSync(path.join(src, "sub", "f7.txt"), "utf8"));
  }, 180_000);

  it("host key checking is on: a wrong published key is refused", async () => {
    const good = fs.readFileSync(home.knownHosts, "utf8");
    const { publicKey } = await import("node:crypto").then((c) => c.generateKeyPairSync("ed25519"));
    const other = `ssh-ed25519 ${sshEd25519Blob(publicKey.export({ format: "jwk" }).x!)}`;
    try {
      fs.writeFileSync(home.knownHosts, good.replace(/ssh-ed25519 \S+/, other));
      const r = await ssh([host, "true"]);
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    } finally {
      fs.writeFileSync(home.knownHosts, good);
    }
    expect((await ssh([host, "true"])).code).toBe(0);
  });

  it("refuses a wrong, expired or revoked token, a foreign devbox, a viewer and a token without the ssh scope, each with a clear message", async () => {
    const refused = async (tok: string, message: RegExp, target = host) => {
      const r = await ssh([target, "true"], tok);
      expect(r.code, r.stderr).toBe(255);
      expect(r.stderr).toMatch(message);
    };
    await refused("dbx_pat_" + "x".repeat(43), /devbox: This API token is not valid/);
    const expired = await createToken(db, owner, { name: "exp", scopes: ["devboxes:ssh"] });
    await db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, expired.view.id));
    await refused(expired.token, /devbox: This API token expired/);
    const revoked = await createToken(db, owner, { name: "rev", scopes: ["devboxes:ssh"] });
    expect((await ssh([host, "true"], revoked.token)).code).toBe(0); // works until revoked
    await revokeToken(db, owner.id, revoked.view.id);
    await refused(revoked.token, /devbox: This API token was revoked/);
    await refused(token, /devbox: Team not found/, `theirs.${strangerTeam.slug}`);
    await refused(await tokenFor(viewer, ["devboxes:ssh"]), /devbox: This needs the developer role or higher in this team \(you are viewer\)/);
    await refused(await tokenFor(owner, ["devboxes:read", "devboxes:write"]), /devbox: This API token lacks the devboxes:ssh scope/);
    await refused(await tokenFor(owner, ["devboxes:ssh"], { team: team.slug, devboxes: ["other"] }), new RegExp(`devbox: Devbox "box" not found in team "${team.slug}"`));
    // The allowed user with a restricted token is allowed.
    expect((await ssh([host, "true"], await tokenFor(owner, ["devboxes:ssh"], { team: team.slug, devboxes: ["box"] }))).code).toBe(0);
  }, 120_000);

  it("the terminal websocket takes an API token too (no cookie, no Origin), within its scopes", async () => {
    const path = `${backend!.wsBase}${terminalPath(team.slug, "box", `tok-${randomSuffix()}`)}`;
    const c = TerminalClient.connect(path, { token: await tokenFor(owner, ["devboxes:write"]) });
    await c.waitForMessage("session");
    c.send("echo tok-$((40+2))\r");
    await c.waitForText("tok-42");
    c.close();
    const refused = TerminalClient.connect(path, { token: await tokenFor(owner, ["devboxes:ssh"]) });
    expect(await refused.closed).toMatchObject({ code: 4406 });
    const bad = TerminalClient.connect(path, { token: "dbx_pat_" + "y".repeat(43) });
    expect(await bad.closed).toMatchObject({ code: 4401, reason: expect.stringMatching(/This API token is not valid/) });
  });

  // `devbox exec` by hand: the output, the close code and reason, and a way to wait for output.
  const execWs = (argv: string[], tok: string) => {
    const ws = new WebSocket(`${backend!.wsBase}${execPath(team.slug, "box", argv)}`, { headers: { authorization: `Bearer ${tok}` } });
    let out = "";
    ws.on("message", (d, isBinary) => (out += isBinary ? (d as Buffer).subarray(1).toString() : ""));
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
    return { closed, output: () => out };
  };

  it("a devboxes:read token is refused by every websocket that acts on the devbox; the allowed tokens pass", async () => {
    const read = await tokenFor(owner, ["devboxes:read"]);
    const terminal = TerminalClient.connect(`${backend!.wsBase}${terminalPath(team.slug, "box", `ro-${randomSuffix()}`)}`, { token: read });
    expect(await terminal.closed).toMatchObject({ code: 4406, reason: expect.stringMatching(/lacks the devboxes:write scope/) });
    const exec = execWs(["sh", "-c", "echo ran > /tmp/ro-exec"], read);
    expect(await exec.closed).toMatchObject({ code: 4406, reason: expect.stringMatching(/lacks the devboxes:write scope/) });
    const r = await ssh([host, "true"], read);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/devbox: This API token lacks the devboxes:ssh scope/);
    // Nothing ran; the write token runs the same command.
    const write = await tokenFor(owner, ["devboxes:write"]);
    const check = execWs(["sh", "-c", "cat /tmp/ro-exec 2>/dev/null || echo absent"], write);
    expect(await check.closed).toMatchObject({ code: 1000 });
    expect(check.output().trim()).toBe("absent");
  });

  it("an open terminal and an open exec end within seconds of their token's revocation (4411); a cookie-less token's other sessions stay", async () => {
    const kept = await createToken(db, owner, { name: "kept", scopes: ["devboxes:write"] });
    const gone = await createToken(db, owner, { name: "gone", scopes: ["devboxes:write"] });
    const open = (tok: string) => TerminalClient.connect(`${backend!.wsBase}${terminalPath(team.slug, "box", `rv-${randomSuffix()}`)}`, { token: tok });
    const staying = open(kept.token);
    const ending = open(gone.token);
    await Promise.all([staying.waitForMessage("session"), ending.waitForMessage("session")]);
    const exec = execWs(["sh", "-c", "echo up; sleep 120"], gone.token);
    await expect.poll(() => exec.output(), { timeout: 20_000 }).toContain("up");
    const revokedAt = Date.now();
    await revokeToken(db, owner.id, gone.view.id);
    expect(await ending.closed).toMatchObject({ code: 4411, reason: expect.stringMatching(/token was revoked or expired/) });
    expect(await exec.closed).toMatchObject({ code: 4411, reason: expect.stringMatching(/token was revoked or expired/) });
    expect(Date.now() - revokedAt).toBeLessThan(15_000);
    // The other token's terminal still works.
    staying.send("echo still-$((6*7))\r");
    await staying.waitForText("still-42");
    staying.close();
  }, 90_000);

  it("an open connection ends within seconds of its token's revocation", async () => {
    const t = await createToken(db, owner, { name: "live", scopes: ["devboxes:ssh"] });
    let connected: () => void = () => {};
    const up = new Promise<void>((r) => (connected = r));
    const live = home.exec("ssh", [...home.opts(), host, "echo up; sleep 120"], home.env(url, t.token), 60_000, (out) => out.includes("up") && connected());
    await Promise.race([up, live]); // revoked once the session runs (a sleep raced the connection)
    const connectedAfter = Date.now();
    await revokeToken(db, owner.id, t.view.id);
    const r = await live;
    expect(r.stdout).toContain("up");
    expect(r.stderr).toMatch(/devbox: The API token was revoked or expired/);
    expect(Date.now() - connectedAfter).toBeLessThan(30_000);
  }, 90_000);

  it("a stopped devbox is started by a token that may start it (and says so); its host key is the same", async () => {
    await stopDevbox(db, team, owner.id, "box");
    await waitForState(db, team, "box", "Stopped", 180_000);
    const sshOnly = await ssh([host, "true"]);
    expect(sshOnly.code).toBe(255);
    expect(sshOnly.stderr).toMatch(/devbox: The devbox is stopped, and this API token may not start it \(it needs devboxes:write\)/);
    // Same known_hosts as before the stop: the host key comes from the devbox's Secret.
    const r = await ssh([host, "echo back"], await tokenFor(owner, ["devboxes:ssh", "devboxes:write"]), 240_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/devbox: Starting devbox box…/);
    expect(r.stdout).toContain("back");
  }, 420_000);

  it("a client that sends more than the hold limit before sshd is reached (here: while the devbox starts) is closed with a clear reason", async () => {
    await stopDevbox(db, team, owner.id, "box");
    await waitForState(db, team, "box", "Stopped", 180_000);
    const ws = new WebSocket(`${backend!.wsBase}${sshPath(team.slug, "box")}`, { headers: { authorization: `Bearer ${await tokenFor(owner, ["devboxes:ssh", "devboxes:write"])}` } });
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
    await new Promise((r) => ws.on("open", r));
    for (let i = 0; i < 5; i++) ws.send(Buffer.alloc(64 * 1024, 7));
    expect(await closed).toMatchObject({ code: 4400, reason: expect.stringMatching(/Too much data sent before the devbox's SSH server answered/) });
  }, 240_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function readLine(sock: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    sock.on("data", (d) => (buf += d));
    sock.on("end", () => resolve(buf.trim()));
    sock.on("error", reject);
  });
}

async function eventuallyRead(read: () => Promise<string>, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const line = await read();
      if (line) return line;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) return "";
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A SOCKS5 CONNECT to 127.0.0.1:<port> (as seen from the devbox) through ssh -D, then one line. */
function socks5Line(proxyPort: number, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(proxyPort, "127.0.0.1");
    let stage = 0;
    let buf = Buffer.alloc(0);
    let line = "";
    sock.on("connect", () => sock.write(Buffer.from([5, 1, 0])));
    sock.on("data", (d) => {
      if (stage === 2) {
        line += d;
        return;
      }
      buf = Buffer.concat([buf, d]);
      if (stage === 0 && buf.length >= 2) {
        if (buf[1] !== 0) return reject(new Error("socks auth refused"));
        buf = buf.subarray(2);
        stage = 1;
        sock.write(Buffer.from([5, 1, 0, 1, 127, 0, 0, 1, port >> 8, port & 255]));
      }
      if (stage === 1 && buf.length >= 10) {
        if (buf[1] !== 0) return reject(new Error(`socks connect failed: ${buf[1]}`));
        line += buf.subarray(10).toString();
        stage = 2;
      }
    });
    sock.on("end", () => resolve(line.trim()));
    sock.on("error", reject);
  });
}

/** The base64 public key blob of an ed25519 key (x from its JWK). */
function sshEd25519Blob(x: string): string {
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([str(Buffer.from("ssh-ed25519")), str(Buffer.from(x, "base64url"))]).toString("base64");
}
