import "./ssh-env";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import { auditEvents } from "@/db/schema/audit-events";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { createDevbox } from "@/lib/devboxes/service";
import { randomSuffix } from "@/lib/ids";
import { kubeConfig } from "@/lib/k8s/config";
import { listSshHosts } from "@/lib/ssh/hosts";
import { addSshKey } from "@/lib/ssh/user-keys";
import { addMember, createTeam } from "@/lib/teams/service";
import { listTeamsForUser } from "@/lib/teams/queries";
import { listTemplates, seedBuiltinTemplates } from "@/lib/templates/queries";
import { createToken, revokeToken } from "@/lib/tokens/service";
import type { TokenScope } from "@/lib/tokens/scopes";
import { registerUser } from "@/lib/users/register";
import { adminCore, waitForState } from "./devbox-harness";
import { SshHome } from "./ssh-harness";
import { installTestDatabase, startTerminalBackend } from "./terminal-harness";

// SSH end to end with Debian's OpenSSH client: config-ssh's files in a throwaway HOME, the
// `devbox ssh --stdio` ProxyCommand as a real process, the dashboard's SSH websocket, Kubernetes
// port-forward, and the devbox's own sshd. Host key checking is on throughout.

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
    url = backend.origin;
    await createDevbox(db, team, owner.id, { name: "box", templateId, cpuMillis: 1000, memoryMiB: 1024, diskMiB: 4096 });
    await createDevbox(db, strangerTeam, stranger.id, { name: "theirs", templateId, cpuMillis: 500, memoryMiB: 256, diskMiB: 1024 });
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
  });
});
