import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "./client";
import { devboxIdle } from "./schema/devbox-idle";
import { devboxOperations } from "./schema/devbox-operations";
import { devboxes } from "./schema/devboxes";
import { teams } from "./schema/teams";
import { templates } from "./schema/templates";
import { users } from "./schema/users";
import { testBackends } from "./test-backends";
import { ActivityCoalescer, writeActivity } from "@/lib/idle/activity";
import { idlePass } from "@/lib/idle/enforce";
import { stopIdleDevbox } from "@/lib/devboxes/service";
import { idleVerdict } from "@/lib/idle/deadline";
import { loadIdleStates, stillDue, stillIdle } from "@/lib/idle/queries";
import { devboxIdleState, keepRunning, setDevboxIdleSettings, setDevboxIdleTimeout, setTeamIdleSettings, setTeamIdleTimeout } from "@/lib/idle/service";
import { auditEvents } from "./schema/audit-events";

const MIN = 60_000;
const ago = (min: number) => new Date(Date.now() - min * MIN);

describe.each(testBackends())("idle auto-stop state on $name", (backend) => {
  let db: Database;
  let close: () => Promise<void>;
  const team = { id: "t1", slug: "t" };

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    await db.insert(users).values([{ id: "u1", email: "ana@example.com", name: "ana" }, { id: "u2", email: "bob@example.com", name: "bob" }]);
    await db.insert(teams).values({ id: "t1", slug: "t", displayName: "T", namespace: "devbox-t" });
    await db.insert(templates).values([
      { id: "tpl", name: "tpl", displayName: "Tpl", image: "img" },
      { id: "tpl30", name: "tpl30", displayName: "Tpl30", image: "img", idleTimeoutMinutes: 30 },
    ]);
  });
  afterAll(async () => close?.());

  const base = { teamId: "t1", templateId: "tpl", image: "img", cpuMillis: 500, memoryMiB: 512, diskMiB: 1024, user: "devbox", workingDir: "/home/devbox" };
  async function devbox(id: string, changedMinAgo: number, extra: Partial<typeof devboxes.$inferInsert> = {}) {
    await db.insert(devboxes).values({ id, name: id, ...base, updatedAt: ago(changedMinAgo), ...extra });
    return { id, name: id, desiredState: "running" };
  }
  const stateOf = async (id: string) => (await loadIdleStates(db, [id]))[0];

  it("moves the last activity only forward, and writes nothing for a missing devbox", async () => {
    await devbox("a1", 100);
    await writeActivity(db, "a1", { at: ago(10).getTime(), kind: "terminal-input", by: "u1" });
    await writeActivity(db, "a1", { at: ago(20).getTime(), kind: "ssh", by: "u2" }); // late, older: ignored
    const s = await stateOf("a1");
    expect(s.deadline.movedBy.kind).toBe("terminal-input");
    expect(s.movedByName).toBe("ana");
    expect(Math.abs(s.deadline.stopAt!.getTime() - (ago(10).getTime() + 60 * MIN))).toBeLessThan(5_000);
    await writeActivity(db, "nope", { at: Date.now(), kind: "exec", by: "u1" });
    expect(await db.select().from(devboxIdle).where(eq(devboxIdle.devboxId, "nope"))).toEqual([]);
  });

  it("coalesces a burst of activity into one row write", async () => {
    await devbox("a2", 100);
    let writes = 0;
    const c = new ActivityCoalescer(async (id, a) => {
      writes++;
      await writeActivity(db, id, a);
    }, 60_000);
    for (let i = 0; i < 500; i++) c.record("a2", i % 2 ? "terminal-output" : "terminal-input", "u2");
    await c.flush();
    expect(writes).toBe(1);
    expect((await stateOf("a2")).movedByName).toBe("bob");
  });

  it("resolves the timeout devbox → team → template → default", async () => {
    await devbox("r1", 0, { templateId: "tpl30" });
    expect((await stateOf("r1")).timeoutMinutes).toBe(30);
    await setTeamIdleTimeout(db, team, "u1", 45);
    expect((await stateOf("r1")).timeoutSource).toBe("team");
    expect((await stateOf("r1")).timeoutMinutes).toBe(45);
    await setDevboxIdleTimeout(db, team, "u1", { id: "r1", name: "r1" }, 0);
    expect((await stateOf("r1")).deadline.stopAt).toBeNull();
    await setDevboxIdleTimeout(db, team, "u1", { id: "r1", name: "r1" }, null);
    await setTeamIdleTimeout(db, team, "u1", null);
    expect((await stateOf("r1")).timeoutMinutes).toBe(30);
  });

  it("is in the warning window before the deadline, stops past the deadline through the normal stop with the reason, and leaves busy devboxes alone", async () => {
    await devbox("w1", 57); // 3 min left: warn
    await devbox("s1", 61); // past: stop
    await devbox("b1", 61); // past by its start, but active since
    await writeActivity(db, "b1", { at: ago(1).getTime(), kind: "terminal-input", by: "u1" });
    await devbox("n1", 600);
    await setDevboxIdleTimeout(db, team, "u1", { id: "n1", name: "n1" }, 0);

    expect(idleVerdict((await stateOf("w1")).deadline, new Date())).toBe("warn");
    expect((await idlePass(db)).stopped).toEqual(["s1"]);
    expect((await idlePass(db)).stopped).toEqual([]);

    const [s1] = await db.select().from(devboxes).where(eq(devboxes.id, "s1"));
    expect(s1.desiredState).toBe("stopped");
    const [op] = await db.select().from(devboxOperations).where(and(eq(devboxOperations.devboxId, "s1"), eq(devboxOperations.kind, "stop")));
    expect(op.status).toBe("pending"); // the reconciler snapshots, then removes the Pod
    expect(op.actorId).toBeNull();
    expect(op.details).toMatchObject({ reason: "idle", message: "stopped after 60 min without activity" });
    for (const id of ["b1", "w1", "n1"]) expect((await db.select().from(devboxes).where(eq(devboxes.id, id)))[0].desiredState).toBe("running");
  });

  it("keeps running for 2 h when asked, which also re-arms the warning, and never moves the deadline back", async () => {
    const d = await devbox("k1", 58);
    expect(idleVerdict((await devboxIdleState(db, "k1")).deadline, new Date())).toBe("warn");
    const s = await keepRunning(db, team, "u1", d);
    expect(s.deadline.movedBy.kind).toBe("keep-running");
    expect(s.movedByName).toBe("ana");
    expect(Math.abs(s.deadline.stopAt!.getTime() - (Date.now() + 120 * MIN))).toBeLessThan(5_000);
    expect(idleVerdict(s.deadline, new Date())).toBe("fine");
    const again = await keepRunning(db, team, "u2", d);
    expect(again.deadline.stopAt!.getTime()).toBeGreaterThanOrEqual(s.deadline.stopAt!.getTime());
    expect((await idlePass(db)).stopped).not.toContain("k1");
  });

  it("stops once even if two replicas' passes race (an old leader finishing its pass as a new one starts)", async () => {
    await devbox("c1", 61);
    const [x, y] = await Promise.all([idlePass(db), idlePass(db)]);
    expect([...x.stopped, ...y.stopped].filter((id) => id === "c1")).toEqual(["c1"]);
    const ops = await db.select().from(devboxOperations).where(and(eq(devboxOperations.devboxId, "c1"), eq(devboxOperations.kind, "stop")));
    expect(ops).toHaveLength(1);
  });

  it("does not stop a devbox restarted since its deadline was computed", async () => {
    await devbox("g1", 61);
    const [s] = await loadIdleStates(db, ["g1"]);
    await db.update(devboxes).set({ podGeneration: 2 }).where(eq(devboxes.id, "g1"));
    expect(await stopIdleDevbox(db, s.devbox, { reason: "idle" }, stillIdle(s))).toBe(false);
    expect((await db.select().from(devboxes).where(eq(devboxes.id, "g1")))[0].desiredState).toBe("running");
  });

  it("does not stop a devbox whose deadline moved after it was computed (keep running, activity, its timeout, its team's timeout), and does stop one whose deadline did not", async () => {
    const stale = async (id: string, move: () => Promise<unknown>, extra: Partial<typeof devboxes.$inferInsert> = {}) => {
      const d = await devbox(id, 61, extra);
      const [s] = await loadIdleStates(db, [id]);
      expect(idleVerdict(s.deadline, new Date())).toBe("stop");
      await move();
      expect(await stopIdleDevbox(db, s.devbox, { reason: "idle" }, stillIdle(s)), id).toBe(false);
      expect((await db.select().from(devboxes).where(eq(devboxes.id, id)))[0].desiredState, id).toBe("running");
      return d;
    };
    await stale("m1", () => keepRunning(db, team, "u1", { id: "m1", name: "m1", desiredState: "running" }));
    await stale("m2", () => writeActivity(db, "m2", { at: Date.now(), kind: "terminal-input", by: "u1" }));
    await stale("m3", () => setDevboxIdleTimeout(db, team, "u1", { id: "m3", name: "m3" }, 0));
    // The team's timeout (its own team: the others' devboxes keep the default).
    await db.insert(teams).values({ id: "t-m5", slug: "t-m5", displayName: "M5", namespace: "devbox-t-m5" });
    await stale("m5", () => setTeamIdleTimeout(db, { id: "t-m5", slug: "t-m5" }, "u1", 0), { teamId: "t-m5" });
    // The allowed case: the same call with nothing in between stops it, once.
    await devbox("m4", 61);
    await writeActivity(db, "m4", { at: ago(62).getTime(), kind: "ssh", by: "u1" });
    const [s] = await loadIdleStates(db, ["m4"]);
    expect(await stopIdleDevbox(db, s.devbox, { reason: "idle" }, stillIdle(s))).toBe(true);
    expect(await stopIdleDevbox(db, s.devbox, { reason: "idle" }, stillIdle(s))).toBe(false);
    expect((await db.select().from(devboxes).where(eq(devboxes.id, "m4")))[0].desiredState).toBe("stopped");
  });

  // Maximum lifetime and daily stop (teams of their own: their settings apply to every devbox of the team).
  const opOf = async (id: string) => (await db.select().from(devboxOperations).where(and(eq(devboxOperations.devboxId, id), eq(devboxOperations.kind, "stop"))))[0];
  const desired = async (id: string) => (await db.select().from(devboxes).where(eq(devboxes.id, id)))[0].desiredState;
  /** The wall-clock "HH:MM" of an instant in a zone. */
  const wall = (d: Date, timeZone: string) => new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);

  /** Settings made an hour ago: past the warning window a new setting gets (tested on its own below). */
  const settled = async () => {
    await db.execute(sql`UPDATE team_idle_settings SET max_lifetime_set_at = max_lifetime_set_at - interval '1 hour', daily_stop_set_at = daily_stop_set_at - interval '1 hour'`);
    await db.execute(sql`UPDATE devbox_idle SET daily_stop_set_at = daily_stop_set_at - interval '1 hour'`);
  };

  it("stops a devbox at the team's maximum lifetime since its last start, saying so; keep running does not lift it; one started since is left alone", async () => {
    const lt = { id: "t2", slug: "lt" };
    await db.insert(teams).values({ id: "t2", slug: "lt", displayName: "LT", namespace: "devbox-lt" });
    await setTeamIdleSettings(db, lt, "u1", { timeoutMinutes: 0, maxLifetimeMinutes: 120 });
    await devbox("l1", 121, { teamId: "t2" });
    // Just set: over the lifetime, but warned first (5 min), not stopped at once.
    const fresh = (await devboxIdleState(db, "l1")).deadline;
    expect(fresh).toMatchObject({ cause: "lifetime", why: "the team's maximum lifetime (2 h), set just now (after the warning)" });
    expect(idleVerdict(fresh, new Date())).toBe("warn");
    expect((await idlePass(db)).stopped).not.toContain("l1");
    await settled();
    const kept = await devbox("l2", 121, { teamId: "t2", name: "l2" });
    await keepRunning(db, lt, "u1", kept);
    await devbox("l3", 60, { teamId: "t2" });
    const s = (await devboxIdleState(db, "l2")).deadline;
    expect(s).toMatchObject({ cause: "lifetime", keepable: false, why: "the team's maximum lifetime (2 h)" });

    const stopped = (await idlePass(db)).stopped;
    expect(stopped).toEqual(expect.arrayContaining(["l1", "l2"]));
    expect(stopped).not.toContain("l3");
    expect(await desired("l3")).toBe("running");
    expect((await opOf("l1")).details).toMatchObject({ reason: "lifetime", message: "stopped after 2 h: the team's maximum lifetime", maxLifetimeMinutes: 120 });
    expect((await opOf("l1")).actorId).toBeNull();
    const audit = await db.select().from(auditEvents).where(and(eq(auditEvents.teamId, "t2"), eq(auditEvents.action, "team.max_lifetime")));
    expect(audit.map((a) => a.details)).toEqual([{ maxLifetimeMinutes: 120 }]);
  });

  it("does not stop at the lifetime when it changed since the deadline was computed (a start, the team's setting), and stops once when it did not", async () => {
    const lt = { id: "t2", slug: "lt" };
    await devbox("l4", 121, { teamId: "t2" });
    const [s] = await loadIdleStates(db, ["l4"]);
    expect(s.deadline.cause).toBe("lifetime");
    await setTeamIdleSettings(db, lt, "u1", { maxLifetimeMinutes: 240 });
    expect(await stopIdleDevbox(db, s.devbox, { reason: "lifetime" }, stillDue(s))).toBe(false);
    await setTeamIdleSettings(db, lt, "u1", { maxLifetimeMinutes: 120 });
    await settled();
    const [again] = await loadIdleStates(db, ["l4"]);
    await db.update(devboxes).set({ updatedAt: new Date() }).where(eq(devboxes.id, "l4")); // started again meanwhile
    expect(await stopIdleDevbox(db, again.devbox, { reason: "lifetime" }, stillDue(again))).toBe(false);
    expect(await desired("l4")).toBe("running");

    await devbox("l5", 121, { teamId: "t2" });
    const [x, y] = await Promise.all([idlePass(db), idlePass(db)]);
    expect([...x.stopped, ...y.stopped].filter((id) => id === "l5")).toEqual(["l5"]);
    expect(await db.select().from(devboxOperations).where(and(eq(devboxOperations.devboxId, "l5"), eq(devboxOperations.kind, "stop")))).toHaveLength(1);
  });

  it("stops a devbox at its daily stop (team default or its own time, in an IANA zone), not one that opted out, started after it, or was kept running", async () => {
    const sc = { id: "t3", slug: "sc" };
    await db.insert(teams).values({ id: "t3", slug: "sc", displayName: "SC", namespace: "devbox-sc" });
    const zone = "Asia/Kolkata"; // UTC+05:30: a half-hour zone
    const passed = wall(ago(2), zone); // today's stop was ~2 min ago
    const ahead = wall(new Date(Date.now() + 60 * MIN), zone);
    await setTeamIdleSettings(db, sc, "u2", { timeoutMinutes: 0, dailyStop: { time: passed, timeZone: zone } });
    await devbox("d1", 10, { teamId: "t3" }); // running since before today's stop: stopped
    const never = await devbox("d2", 10, { teamId: "t3" });
    await setDevboxIdleSettings(db, sc, "u1", never, { dailyStop: "never" });
    const own = await devbox("d3", 10, { teamId: "t3" });
    await setDevboxIdleSettings(db, sc, "u1", own, { dailyStop: { time: ahead, timeZone: "Europe/Paris" } });
    await devbox("d4", 1, { teamId: "t3" }); // started after it: tomorrow's
    const kept = await devbox("d5", 10, { teamId: "t3" });
    await keepRunning(db, sc, "u1", kept);
    await settled();

    expect((await devboxIdleState(db, "d1")).dailyStop).toEqual({ time: passed, timeZone: zone, source: "team" });
    expect((await devboxIdleState(db, "d2")).deadline.cause).toBeNull();
    const d3 = (await devboxIdleState(db, "d3")).deadline;
    expect(d3).toMatchObject({ cause: "schedule", why: `daily stop at ${ahead} Europe/Paris` });
    const d4 = (await devboxIdleState(db, "d4")).deadline.stopAt!.getTime();
    expect(d4 - Date.now()).toBeGreaterThan(23 * 60 * MIN);

    const stopped = (await idlePass(db)).stopped;
    expect(stopped).toContain("d1");
    for (const id of ["d2", "d3", "d4", "d5"]) {
      expect(stopped, id).not.toContain(id);
      expect(await desired(id), id).toBe("running");
    }
    expect((await opOf("d1")).details).toMatchObject({ reason: "schedule", message: `stopped by the daily stop at ${passed} ${zone}`, dailyStop: { time: passed, timeZone: zone, source: "team" } });
    const audit = await db.select().from(auditEvents).where(and(eq(auditEvents.teamId, "t3"), eq(auditEvents.action, "devbox.daily_stop")));
    expect(audit.map((a) => [a.target, a.details])).toEqual(
      expect.arrayContaining([["d2", { dailyStop: "never" }], ["d3", { dailyStop: { time: ahead, timeZone: "Europe/Paris" } }]]),
    );
  });

  it("does not stop at the daily stop when it moved since the deadline was computed (keep running, its own setting or time, the team's, a start), and stops once when it did not", async () => {
    const sc = { id: "t3", slug: "sc" };
    const zone = "Asia/Kolkata";
    const stale = async (id: string, move: () => Promise<unknown>) => {
      const d = await devbox(id, 10, { teamId: "t3" });
      const [s] = await loadIdleStates(db, [id]);
      expect(s.deadline.cause, id).toBe("schedule");
      expect(idleVerdict(s.deadline, new Date()), id).toBe("stop");
      await move();
      expect(await stopIdleDevbox(db, s.devbox, { reason: "schedule" }, stillDue(s)), id).toBe(false);
      expect(await desired(id), id).toBe("running");
      return d;
    };
    await setTeamIdleSettings(db, sc, "u2", { dailyStop: { time: wall(ago(2), zone), timeZone: zone } });
    await settled();
    await stale("e1", () => keepRunning(db, sc, "u1", { id: "e1", name: "e1", desiredState: "running" }));
    await stale("e2", () => setDevboxIdleSettings(db, sc, "u1", { id: "e2", name: "e2" }, { dailyStop: "never" }));
    await stale("e3", () => db.update(devboxes).set({ updatedAt: new Date() }).where(eq(devboxes.id, "e3")));
    const t4 = wall(ago(3), zone);
    await stale("e4", () => setTeamIdleSettings(db, sc, "u2", { dailyStop: { time: t4, timeZone: zone } }));
    // A re-save of the same setting moves it too (a new warning window): the stale decision loses.
    await settled();
    await stale("e6", () => setTeamIdleSettings(db, sc, "u2", { dailyStop: { time: t4, timeZone: zone } }));
    // Its own daily stop, moved to another time.
    await devbox("e7", 10, { teamId: "t3" });
    await setDevboxIdleSettings(db, sc, "u1", { id: "e7", name: "e7" }, { dailyStop: { time: wall(ago(4), zone), timeZone: zone } });
    await settled();
    const [s7] = await loadIdleStates(db, ["e7"]);
    expect(s7.dailyStop?.source).toBe("devbox");
    expect(idleVerdict(s7.deadline, new Date())).toBe("stop");
    await setDevboxIdleSettings(db, sc, "u1", { id: "e7", name: "e7" }, { dailyStop: { time: wall(ago(5), zone), timeZone: zone } });
    expect(await stopIdleDevbox(db, s7.devbox, { reason: "schedule" }, stillDue(s7))).toBe(false);
    expect(await desired("e7")).toBe("running");
    // The allowed case: nothing in between stops it, once; an old state after it is a no-op.
    await settled();
    await devbox("e5", 10, { teamId: "t3" });
    const [s] = await loadIdleStates(db, ["e5"]);
    expect(await stopIdleDevbox(db, s.devbox, { reason: "schedule" }, stillDue(s))).toBe(true);
    expect(await stopIdleDevbox(db, s.devbox, { reason: "schedule" }, stillDue(s))).toBe(false);
    expect(await desired("e5")).toBe("stopped");
  });

  it("forgets “keep running” when the devbox stops: the next run is not postponed by it", async () => {
    const d = await devbox("kx", 10);
    await keepRunning(db, team, "u1", d);
    expect((await db.select().from(devboxIdle).where(eq(devboxIdle.devboxId, "kx")))[0].keepUntil).not.toBeNull();
    const [s] = await loadIdleStates(db, ["kx"]);
    expect(await stopIdleDevbox(db, s.devbox, { reason: "test" }, sql`true`)).toBe(true);
    expect((await db.select().from(devboxIdle).where(eq(devboxIdle.devboxId, "kx")))[0]).toMatchObject({ keepUntil: null, keepBy: null });
  });
});
