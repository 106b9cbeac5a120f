import "./idle-env";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, desc, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { devboxOperations } from "@/db/schema/devbox-operations";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox, startDevbox } from "@/lib/devboxes/service";
import { randomSuffix } from "@/lib/ids";
import { IDLE_CHECK_MS, IDLE_UNIT_MS } from "@/lib/idle/clock";
import { formatDuration } from "@/lib/idle/deadline";
import { devboxIdleState, keepRunning, setDevboxIdleSettings, setDevboxIdleTimeout, setTeamIdleSettings } from "@/lib/idle/service";
import { addMember, createTeam } from "@/lib/teams/service";
import { listTeamsForUser } from "@/lib/teams/queries";
import { listTemplates, seedBuiltinTemplates } from "@/lib/templates/queries";
import { registerUser } from "@/lib/users/register";
import { TerminalClient } from "@/lib/terminal/node-client";
import { CloseCode, terminalPath } from "@/lib/terminal/protocol";
import { adminCore, eventually, waitForState } from "./devbox-harness";
import { installTestDatabase, sessionCookie, startTerminalBackend } from "./terminal-harness";

// Idle auto-stop end to end with a shortened clock (1 idle minute = 1 s, leader checks every 1 s):
// a real devbox, a real terminal, the reconciler's leader doing the stop through the normal stop.
const TIMEOUT = 20; // idle "minutes" = 20 s

describe("idle auto-stop against the bundled cluster", () => {
  let db: Database;
  let closeDb: () => Promise<void>;
  let backend: Awaited<ReturnType<typeof startTerminalBackend>> | undefined;
  let owner: User, viewer: User;
  let team: Team, ownerPersonal: Team, viewerTeam: Team;
  let ownerCookie: string, viewerCookie: string;
  const clients: TerminalClient[] = [];

  const open = (cookie: string, extra = "", origin = backend!.origin) => {
    const c = TerminalClient.connect(`${backend!.wsBase}${terminalPath(team.slug, "idle", `i-${randomBytes(6).toString("hex")}`)}${extra}`, { cookie, origin });
    clients.push(c);
    return c;
  };
  const devboxId = async () => (await findDevbox(db, team.id, "idle"))!.id;
  const stopAt = async () => (await devboxIdleState(db, await devboxId())).deadline.stopAt!.getTime();

  beforeAll(async () => {
    expect(IDLE_UNIT_MS).toBe(1000);
    ({ db, close: closeDb } = await installTestDatabase());
    await seedBuiltinTemplates(db);
    const templateId = (await listTemplates(db)).find((t) => t.name === "debian")!.id;
    owner = await registerUser(db, { email: `idle-${randomSuffix()}@example.com`, password: "correct horse 7", name: "ana" });
    viewer = await registerUser(db, { email: `idlev-${randomSuffix()}@example.com`, password: "correct horse 7" });
    [ownerPersonal] = await listTeamsForUser(db, owner.id);
    [viewerTeam] = await listTeamsForUser(db, viewer.id);
    team = await createTeam(db, owner.id, { slug: `idle-${randomSuffix()}` });
    await addMember(db, owner.id, team, viewer.email, "viewer");
    ownerCookie = await sessionCookie(owner.id);
    viewerCookie = await sessionCookie(viewer.id);
    backend = await startTerminalBackend(db);
    const d = await createDevbox(db, team, owner.id, { name: "idle", templateId, cpuMillis: 1000, memoryMiB: 512, diskMiB: 2048 });
    // Never stop while it boots; the tests set the short timeout once it runs.
    await setDevboxIdleTimeout(db, team, owner.id, d, 0);
    await waitForState(db, team, "idle", "Running");
  });

  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    await backend?.stop();
    for (const t of [team, ownerPersonal, viewerTeam]) if (t) await adminCore.deleteNamespace({ name: t.namespace }).catch(() => {});
    await closeDb?.();
  });

  it("terminal input moves the deadline, an idle open terminal does not; the warning comes, then the normal stop at the deadline", async () => {
    const c = open(ownerCookie);
    await c.waitForMessage("session");
    c.send("echo ready-$((40+2))\r");
    await c.waitForText("ready-42");
    const id = await devboxId();
    await setDevboxIdleTimeout(db, team, owner.id, { id, name: "idle" }, TIMEOUT);
    await new Promise((r) => setTimeout(r, 2_500)); // the echo's activity is written (flush 1 s)
    const before = await stopAt();

    // Typing is activity: the deadline moves forward, and says why.
    await new Promise((r) => setTimeout(r, 2_000));
    c.send("echo typed-$((1+1))\r");
    await c.waitForText("typed-2");
    await new Promise((r) => setTimeout(r, 2_500)); // the input and its output are written (flush 1 s)
    const bumped = await stopAt();
    expect(bumped).toBeGreaterThan(before + 1_500);
    const state = await devboxIdleState(db, id);
    expect(state.deadline.movedBy.kind).toBe("terminal-input");
    expect(state.deadline.movedBy.by).toBe(owner.id);

    // The terminal stays open and silent: the deadline does not move, the warning arrives ~8 s before.
    const warning = await c.waitForMessage("idle-warning", 30_000);
    expect(new Date(warning.stopAt).getTime()).toBe(bumped);
    expect(warning.message).toMatch(/stops in \d+ min/);
    expect(Date.now()).toBeGreaterThanOrEqual(bumped - 8 * IDLE_UNIT_MS - IDLE_CHECK_MS);
    expect(await stopAt()).toBe(bumped);

    // The stop: the normal one (an operation of kind stop, snapshot first), at the deadline ± one check.
    const op = await eventually(
      "the idle stop",
      async () => (await db.select().from(devboxOperations).where(and(eq(devboxOperations.devboxId, id), eq(devboxOperations.kind, "stop"))).orderBy(desc(devboxOperations.requestedAt)))[0],
      40_000,
    );
    expect(op.details).toMatchObject({ reason: "idle", message: `stopped after ${TIMEOUT} min without activity` });
    expect(op.actorId).toBeNull();
    const late = op.requestedAt.getTime() - bumped;
    expect(late).toBeGreaterThanOrEqual(-50);
    // The leader passes every 2 s (RESYNC_MS) and checks deadlines every IDLE_CHECK_MS: one pass late at most.
    expect(late).toBeLessThanOrEqual(Math.max(IDLE_CHECK_MS, 2_000) + 1_000);
    expect((await c.closed).code).toBe(CloseCode.DevboxGone);
    await waitForState(db, team, "idle", "Stopped");
    expect((await db.select().from(devboxOperations).where(eq(devboxOperations.id, op.id)))[0].status).toBe("succeeded");
  });

  it("wakes on access: opening the terminal of the stopped devbox starts it for a developer, not for a viewer nor for another site riding the developer's cookie", async () => {
    const refused = open(viewerCookie, "&wake=1");
    expect((await refused.closed).code).toBe(CloseCode.Forbidden);
    expect((await findDevbox(db, team.id, "idle"))!.desiredState).toBe("stopped");
    // Cross-site websocket hijacking: the browser sends the owner's cookie from any page; the Origin is checked first.
    const crossSite = open(ownerCookie, "&wake=1", "https://evil.example");
    expect((await crossSite.closed).code).toBe(CloseCode.ForbiddenOrigin);
    expect((await findDevbox(db, team.id, "idle"))!.desiredState).toBe("stopped");

    const waking = open(ownerCookie, "&wake=1");
    const closed = await waking.closed;
    expect(closed.code).toBe(CloseCode.NotRunning);
    expect(closed.reason).toMatch(/Starting the devbox/);
    expect((await findDevbox(db, team.id, "idle"))!.desiredState).toBe("running");
    await waitForState(db, team, "idle", "Running");
    const c = open(ownerCookie);
    await c.waitForMessage("session");
    c.send("echo awake-$((2+3))\r");
    await c.waitForText("awake-5");
  });

  it("keep running moves the deadline to 2 h from now", async () => {
    const id = await devboxId();
    const d = (await findDevbox(db, team.id, "idle"))!;
    const s = await keepRunning(db, team, owner.id, d);
    expect(s.deadline.movedBy.kind).toBe("keep-running");
    expect(Math.abs(s.deadline.stopAt!.getTime() - (Date.now() + 120 * IDLE_UNIT_MS))).toBeLessThan(2_000);
    await setDevboxIdleTimeout(db, team, owner.id, { id, name: "idle" }, 0);
  });

  /** The latest stop operation of the devbox whose reason is `reason`. */
  const stopOp = async (id: string, reason: string) =>
    (await db.select().from(devboxOperations).where(and(eq(devboxOperations.devboxId, id), eq(devboxOperations.kind, "stop"))).orderBy(desc(devboxOperations.requestedAt))).find(
      (o) => (o.details as { reason?: string }).reason === reason,
    );
  // The leader passes every 2 s (RESYNC_MS) and checks deadlines every IDLE_CHECK_MS: one pass late at most.
  const ONE_PASS = Math.max(IDLE_CHECK_MS, 2_000) + 1_000;

  it("stops at the team's maximum lifetime since the last start, at the deadline ± one pass, after a warning without “keep running”", async () => {
    const d = (await findDevbox(db, team.id, "idle"))!;
    expect(d.desiredState).toBe("running");
    // A lifetime (in shortened minutes = s) that ends ~12 s from now, counted from the last start.
    const lifetime = Math.ceil((Date.now() - d.updatedAt.getTime()) / IDLE_UNIT_MS) + 12;
    await setTeamIdleSettings(db, team, owner.id, { maxLifetimeMinutes: lifetime });
    const s = await devboxIdleState(db, d.id);
    expect(s.deadline).toMatchObject({ cause: "lifetime", keepable: false });
    const deadline = s.deadline.stopAt!.getTime();
    expect(deadline).toBe(d.updatedAt.getTime() + lifetime * IDLE_UNIT_MS);

    const c = open(ownerCookie);
    await c.waitForMessage("session");
    // "Keep running" does not lift the team's cap.
    expect((await keepRunning(db, team, owner.id, d)).deadline.stopAt!.getTime()).toBe(deadline);
    const warning = await c.waitForMessage("idle-warning", 30_000);
    expect(warning).toMatchObject({ cause: "lifetime", keepable: false, stopAt: new Date(deadline).toISOString() });
    expect(warning.message).toMatch(/^The team's maximum lifetime is reached: this devbox stops in \d+ min/);

    const op = await eventually("the lifetime stop", () => stopOp(d.id, "lifetime"), 40_000);
    expect(op.details).toMatchObject({ reason: "lifetime", message: `stopped after ${formatDuration(lifetime)}: the team's maximum lifetime` });
    expect(op.actorId).toBeNull();
    const late = op.requestedAt.getTime() - deadline;
    expect(late).toBeGreaterThanOrEqual(-50);
    expect(late).toBeLessThanOrEqual(ONE_PASS);
    expect((await c.closed).code).toBe(CloseCode.DevboxGone);
    await waitForState(db, team, "idle", "Stopped");
    expect((await db.select().from(devboxOperations).where(eq(devboxOperations.id, op.id)))[0].status).toBe("succeeded"); // snapshot first, then the Pod went
    await setTeamIdleSettings(db, team, owner.id, { maxLifetimeMinutes: null });
  });

  it("stops at its daily stop (wall-clock time in an IANA zone) at the deadline ± one pass", async () => {
    await startDevbox(db, team, owner.id, "idle");
    await waitForState(db, team, "idle", "Running");
    const d = (await findDevbox(db, team.id, "idle"))!;
    // The next whole minute at least 15 s away, as the wall clock in Paris reads it.
    const zone = "Europe/Paris";
    const at = new Date(Math.ceil((Date.now() + 15_000) / 60_000) * 60_000);
    const time = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
    const s = await setDevboxIdleSettings(db, team, owner.id, d, { dailyStop: { time, timeZone: zone } });
    expect(s.deadline).toMatchObject({ cause: "schedule", why: `daily stop at ${time} ${zone}`, keepable: true });
    expect(s.deadline.stopAt).toEqual(at);

    const op = await eventually("the daily stop", () => stopOp(d.id, "schedule"), 120_000);
    expect(op.details).toMatchObject({ reason: "schedule", message: `stopped by the daily stop at ${time} ${zone}` });
    const late = op.requestedAt.getTime() - at.getTime();
    expect(late).toBeGreaterThanOrEqual(-50);
    expect(late).toBeLessThanOrEqual(ONE_PASS);
    await waitForState(db, team, "idle", "Stopped");
    await setDevboxIdleSettings(db, team, owner.id, d, { dailyStop: null });
  });
});
