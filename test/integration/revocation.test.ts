import "./terminal-env";
import { randomBytes } from "node:crypto";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { RECHECK_MS } from "@/lib/auth/access-watch";
import { authOptions } from "@/lib/auth/options";
import { revokeAllSessions } from "@/lib/auth/session-version";
import { createDevbox } from "@/lib/devboxes/service";
import { randomSuffix } from "@/lib/ids";
import { listTeamsForUser } from "@/lib/teams/queries";
import { addMember, createTeam, removeMember } from "@/lib/teams/service";
import { listTemplates, seedBuiltinTemplates } from "@/lib/templates/queries";
import { TerminalClient } from "@/lib/terminal/node-client";
import { CloseCode, terminalPath } from "@/lib/terminal/protocol";
import { terminalRegistry } from "@/lib/terminal/registry";
import { registerUser } from "@/lib/users/register";
import { adminCore, waitForState } from "./devbox-harness";
import { installTestDatabase, startTerminalBackend } from "./terminal-harness";

// Revocation of open terminals on the real cluster: a member removed from the team, or a user
// who signed out (of that session, or everywhere), loses the open shell within seconds (close
// 4411), and the copied cookie no longer opens one. The users who keep access keep their shells.

const cookieFor = async (uid: string, sv: number) =>
  `next-auth.session-token=${await encode({ token: { uid, sv }, secret: process.env.NEXTAUTH_SECRET! })}`;

describe("revocation of open terminals against the bundled cluster", () => {
  let db: Database;
  let closeDb: () => Promise<void>;
  let backend: Awaited<ReturnType<typeof startTerminalBackend>> | undefined;
  let owner: User, dev: User;
  let team: Team;
  const namespaces: string[] = [];
  let origin: string;
  let wsBase: string;
  const clients: TerminalClient[] = [];

  function open(cookie: string) {
    const c = TerminalClient.connect(`${wsBase}${terminalPath(team.slug, "rev", `r-${randomBytes(8).toString("hex")}`)}`, { cookie, origin });
    clients.push(c);
    return c;
  }
  /** Opens a shell and proves it runs commands. */
  async function shell(cookie: string) {
    const c = open(cookie);
    await c.waitForMessage("session");
    c.send("echo ready-$((40+2))\n");
    await c.waitForText("ready-42");
    return c;
  }
  async function stillWorks(c: TerminalClient) {
    const n = 100 + Math.floor(Math.random() * 800);
    c.send(`echo alive-$((${n}+1))\n`);
    await c.waitForText(`alive-${n + 1}`);
  }

  beforeAll(async () => {
    ({ db, close: closeDb } = await installTestDatabase());
    await seedBuiltinTemplates(db);
    const templateId = (await listTemplates(db)).find((t) => t.name === "debian")!.id;
    owner = await registerUser(db, { email: `rev-own-${randomSuffix()}@example.com`, password: "correct horse 7" });
    dev = await registerUser(db, { email: `rev-dev-${randomSuffix()}@example.com`, password: "correct horse 7" });
    for (const u of [owner, dev]) namespaces.push((await listTeamsForUser(db, u.id))[0].namespace);
    team = await createTeam(db, owner.id, { slug: `rev-${randomSuffix()}` });
    namespaces.push(team.namespace);
    await addMember(db, owner.id, team, dev.email, "developer");

    backend = await startTerminalBackend(db);
    ({ origin, wsBase } = backend);
    await createDevbox(db, team, owner.id, { name: "rev", templateId, cpuMillis: 500, memoryMiB: 256, diskMiB: 1024 });
    await waitForState(db, team, "rev", "Running");
  });

  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    await backend?.stop();
    for (const name of namespaces) await adminCore.deleteNamespace({ name }).catch(() => {});
    await closeDb?.();
  });

  it("closes a removed member's open terminal within seconds (4411); the owner's keeps working", async () => {
    const devTerm = await shell(await cookieFor(dev.id, 0)); // the member is allowed
    const ownerTerm = await shell(await cookieFor(owner.id, 0));

    const removedAt = Date.now();
    await removeMember(db, owner.id, team, dev.id);
    const closed = await devTerm.closed;
    const took = Date.now() - removedAt;
    expect(closed.code).toBe(CloseCode.Revoked);
    expect(closed.reason).toMatch(/no longer a member/);
    expect(took).toBeLessThan(RECHECK_MS + 5000);
    console.log(`[revocation] removed member's terminal closed after ${took} ms (re-check every ${RECHECK_MS} ms)`);
    // The shell is gone, not detached: reopening is refused as for any stranger.
    expect(terminalRegistry().countForUser(dev.id)).toBe(0);
    expect((await open(await cookieFor(dev.id, 0)).closed).code).toBe(CloseCode.NotFound);

    await stillWorks(ownerTerm);
  });

  it("a plain sign-out closes that session's terminal and its copied cookie opens none; the user's other session keeps its shell", async () => {
    // Two sign-ins of the owner, issued as next-auth issues them (the jwt callback at sign-in).
    const signIn = async () => {
      const token = await authOptions.callbacks!.jwt!({ token: {}, user: { id: owner.id, sv: owner.sessionVersion } as never, account: { provider: "credentials", type: "credentials", providerAccountId: owner.id } });
      return { token, cookie: `next-auth.session-token=${await encode({ token, secret: process.env.NEXTAUTH_SECRET! })}` };
    };
    const here = await signIn();
    const elsewhere = await signIn();
    const copied = here.cookie;
    const term = await shell(copied); // the copy works before
    const other = await shell(elsewhere.cookie);

    // POST /api/auth/signout hands the decoded cookie to this event, then clears the cookie.
    await authOptions.events!.signOut!({ token: here.token, session: undefined as never });
    const closed = await term.closed;
    expect(closed.code).toBe(CloseCode.Revoked);
    expect(closed.reason).toMatch(/session was signed out/);
    expect((await open(copied).closed).code).toBe(CloseCode.Unauthorized);
    await stillWorks(other);
  });

  it("sign-out everywhere closes the user's terminals, and the copied cookie opens none; a new sign-in does", async () => {
    const copied = await cookieFor(owner.id, 0);
    const term = await shell(copied);
    await revokeAllSessions(db, owner.id);
    const closed = await term.closed;
    expect(closed.code).toBe(CloseCode.Revoked);
    expect(closed.reason).toMatch(/signed out everywhere/);
    expect((await open(copied).closed).code).toBe(CloseCode.Unauthorized);
    await stillWorks(await shell(await cookieFor(owner.id, 1)));
  });
});
