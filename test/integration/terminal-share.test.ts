// Shared terminals (lib/terminal/shares.ts, server/ws/terminal.ts ?share=): an owner's live session
// watched by a read-only teammate and typed into by a read-write one, on the bundled cluster.
import "./terminal-env";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import type { Devbox } from "@/db/schema/devboxes";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { listAuditPage } from "@/lib/audit/queries";
import { createDevbox } from "@/lib/devboxes/service";
import { AppError } from "@/lib/errors";
import { randomSuffix } from "@/lib/ids";
import { findTeamForMember, listTeamsForUser } from "@/lib/teams/queries";
import { addMember, createTeam } from "@/lib/teams/service";
import { listTemplates, seedBuiltinTemplates } from "@/lib/templates/queries";
import { TerminalClient } from "@/lib/terminal/node-client";
import { CloseCode, sharedTerminalPath, terminalPath } from "@/lib/terminal/protocol";
import { revokeTerminalShare, shareTerminal } from "@/lib/terminal/share-service";
import { accessWatcher } from "@/lib/auth/access-watch";
import { createToken, revokeToken } from "@/lib/tokens/service";
import { registerUser } from "@/lib/users/register";
import { adminCore, waitForState } from "./devbox-harness";
import { installTestDatabase, sessionCookie, startTerminalBackend } from "./terminal-harness";

describe("shared terminal on the bundled cluster", () => {
  let db: Database;
  let closeDb: () => Promise<void>;
  let backend: Awaited<ReturnType<typeof startTerminalBackend>> | undefined;
  let owner: User, dev: User, viewer: User, stranger: User;
  let team: Team;
  let devbox: Devbox;
  const clients: TerminalClient[] = [];
  const personal: Team[] = [];

  const connect = (path: string, user: User) =>
    sessionCookie(user.id).then((cookie) => {
      const c = TerminalClient.connect(`${backend!.wsBase}${path}`, { cookie, origin: backend!.origin });
      clients.push(c);
      return c;
    });
  const ownerTeam = async () => (await findTeamForMember(db, team.slug, owner.id))!;

  async function ownerShell() {
    const sid = `s-${randomBytes(8).toString("hex")}`;
    const c = await connect(terminalPath(team.slug, "share", sid), owner);
    await c.waitForMessage("session");
    c.send("echo ready-$((40+2))\r");
    await c.waitForText("ready-42");
    return { c, sid };
  }

  beforeAll(async () => {
    ({ db, close: closeDb } = await installTestDatabase());
    await seedBuiltinTemplates(db);
    const templateId = (await listTemplates(db)).find((t) => t.name === "debian")!.id;
    [owner, dev, viewer, stranger] = await Promise.all(["owner", "dev", "viewer", "stranger"].map((w) => registerUser(db, { email: `${w}-${randomSuffix()}@example.com`, password: "correct horse 7" })));
    for (const u of [owner, dev, viewer, stranger]) personal.push(...(await listTeamsForUser(db, u.id)));
    team = await createTeam(db, owner.id, { slug: `tshare-${randomSuffix()}` });
    await addMember(db, owner.id, team, dev.email, "developer");
    await addMember(db, owner.id, team, viewer.email, "viewer");
    backend = await startTerminalBackend(db);
    devbox = await createDevbox(db, team, owner.id, { name: "share", templateId, cpuMillis: 1000, memoryMiB: 512, diskMiB: 2048 });
    await waitForState(db, team, "share", "Running", 240_000);
  }, 240_000);

  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    await backend?.stop();
    for (const t of [team, ...personal]) if (t) await adminCore.deleteNamespace({ name: t.namespace }).catch(() => {});
    await closeDb?.();
  });

  it("a read-only guest sees the owner's screen live and cannot type; a read-write guest types for both", async () => {
    const { c: own, sid } = await ownerShell();
    const ro = await shareTerminal(db, owner, await ownerTeam(), devbox, { sessionId: sid, email: viewer.email, mode: "read" });
    const rw = await shareTerminal(db, owner, await ownerTeam(), devbox, { sessionId: sid, email: dev.email, mode: "write" });
    const watcher = await connect(sharedTerminalPath(team.slug, "share", ro.id), viewer);
    const typist = await connect(sharedTerminalPath(team.slug, "share", rw.id), dev);
    expect(await watcher.waitForMessage("session")).toMatchObject({ mode: "read", resumed: true });
    expect(await typist.waitForMessage("session")).toMatchObject({ mode: "write" });
    await watcher.waitForText("ready-42"); // the replay: the same screen so far

    own.send("echo owner-$((2+3))\r");
    await Promise.all([watcher.waitForText("owner-5"), typist.waitForText("owner-5")]);

    typist.send("echo typist-$((3+4))\r");
    await Promise.all([own.waitForText("typist-7"), watcher.waitForText("typist-7"), typist.waitForText("typist-7")]);

    watcher.send("echo watcher-$((4+5))\r");
    own.send("echo after-$((5+6))\r");
    await own.waitForText("after-11");
    expect(own.text).not.toContain("watcher-9");

    // Revoking closes that guest's view at once; the owner and the other guest go on.
    await revokeTerminalShare(db, owner, await ownerTeam(), devbox, ro.id);
    expect((await watcher.closed).code).toBe(CloseCode.ShareEnded);
    own.send("echo still-$((6+6))\r");
    await typist.waitForText("still-12");
    // The owner closing the terminal ends the guest's too.
    own.control({ type: "close" });
    expect((await typist.closed).code).toBe(CloseCode.Closed);
    const actions = (await listAuditPage(db, team.id, { kind: "terminal.share" })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["terminal.share.granted", "terminal.share.joined", "terminal.share.revoked"]));
  });

  it("only the named guest joins; viewers cannot be given write; strangers are not told", async () => {
    const { c: own, sid } = await ownerShell();
    const codeOf = (e: unknown) => (e instanceof AppError ? e.code : e);
    expect(codeOf(await shareTerminal(db, owner, await ownerTeam(), devbox, { sessionId: sid, email: viewer.email, mode: "write" }).catch((e) => e))).toBe("forbidden");
    expect(codeOf(await shareTerminal(db, owner, await ownerTeam(), devbox, { sessionId: sid, email: stranger.email, mode: "read" }).catch((e) => e))).toBe("not_found");
    expect(codeOf(await shareTerminal(db, owner, await ownerTeam(), devbox, { sessionId: "not-my-session", email: dev.email, mode: "read" }).catch((e) => e))).toBe("not_found");
    const s = await shareTerminal(db, owner, await ownerTeam(), devbox, { sessionId: sid, email: viewer.email, mode: "read" });
    const wrongGuest = await connect(sharedTerminalPath(team.slug, "share", s.id), dev);
    expect((await wrongGuest.closed).code).toBe(CloseCode.ShareEnded);
    const outsider = await connect(sharedTerminalPath(team.slug, "share", s.id), stranger);
    expect((await outsider.closed).code).toBe(CloseCode.NotFound);
    const right = await connect(sharedTerminalPath(team.slug, "share", s.id), viewer); // the allowed one is allowed
    await right.waitForMessage("session");
    right.close();
    own.control({ type: "close" });
  });
  it("a guest with an API token: typing needs devboxes:write, and the token's revocation closes the view", async () => {
    const { c: own, sid } = await ownerShell();
    const s = await shareTerminal(db, owner, await ownerTeam(), devbox, { sessionId: sid, email: dev.email, mode: "write" });
    const byToken = (token: string) => {
      const c = TerminalClient.connect(`${backend!.wsBase}${sharedTerminalPath(team.slug, "share", s.id)}`, { token });
      clients.push(c);
      return c;
    };
    // A read-only token of the guest would otherwise type into the owner's shell.
    const readOnly = (await createToken(db, dev, { name: "ro", scopes: ["devboxes:read"] })).token;
    const ro = byToken(readOnly);
    expect(await Promise.race([ro.closed.then((c) => `closed ${c.code}`), ro.waitForMessage("session").then(() => "joined")])).toBe(`closed ${CloseCode.Forbidden}`);
    const writer = await createToken(db, dev, { name: "rw", scopes: ["devboxes:write"] });
    const guest = byToken(writer.token);
    await guest.waitForMessage("session");
    await revokeToken(db, dev.id, writer.view.id);
    await accessWatcher().checkNow();
    const after = await Promise.race([guest.closed.then((c) => c.code), new Promise((r) => setTimeout(() => r("still open"), 5_000))]);
    expect(after).toBe(CloseCode.Revoked);
    own.control({ type: "close" });
  });
});
