import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { teams, type Team } from "@/db/schema/teams";
import { users, type User } from "@/db/schema/users";
import { postgresTestBackend } from "@/db/test-backends";
import { AppError } from "@/lib/errors";
import { newId, randomSuffix } from "@/lib/ids";
import { TEAM_LABEL } from "@/lib/k8s/labels";
import { QUOTA_NAME } from "@/lib/k8s/team-namespace";
import { namespaceForTeam } from "@/lib/teams/namespace-name";
import { createTeam } from "@/lib/teams/service";
import { callUntilCrash } from "@/test/support/crash-call";
import { adminCore, eventually } from "./devbox-harness";

// A team is its row (one transaction) and its namespace (made inside that transaction, so a
// Kubernetes refusal rolls the row back). The process SIGKILLed after the namespace, before the
// commit (crash point team:after-namespace), leaves a namespace labelled with a team that never
// existed. Before, every retry with that name was refused for good ("already exists in
// Kubernetes. Pick another team name."); now the retry removes what this install's crashed
// attempt left and, once it is gone, makes the team. A namespace of a team that exists is never
// touched: that refusal stands.
describe("team creation killed between its namespace and its commit", () => {
  let db: Database;
  let url: string;
  let close: () => Promise<void>;
  let owner: User;
  const slug = `tc-${randomSuffix()}`;
  const namespace = namespaceForTeam(slug);

  beforeAll(async () => {
    const opened = await postgresTestBackend().open();
    ({ db, close } = opened);
    url = opened.url!;
    [owner] = await db.insert(users).values({ id: newId(), email: `teamcrash-${newId()}@example.com`, name: "owner" }).returning();
  });

  const failing = `tf-${randomSuffix()}`;

  afterAll(async () => {
    await adminCore.deleteNamespace({ name: namespace }).catch(() => {});
    await adminCore.deleteNamespace({ name: namespaceForTeam(failing) }).catch(() => {});
    await close?.();
  });

  it("the retry converges: the leftover namespace goes, the team is made with its own", async () => {
    const run = await callUntilCrash({ databaseUrl: url, module: "lib/teams/service", fn: "createTeam", args: [owner.id, { slug }], crashPoints: ["team:after-namespace"] });
    expect(run.crashed, run.output).toBe(true);
    expect(run.point).toBe("team:after-namespace");
    expect(await db.select().from(teams).where(eq(teams.slug, slug))).toHaveLength(0);
    const left = await adminCore.readNamespace({ name: namespace });
    const orphanTeam = left.metadata!.labels![TEAM_LABEL];

    // What the user does: try again (a minute later if told so).
    const outcome = await eventually<Team | Error>("the team to be made on retry", async () => {
      try {
        return await createTeam(db, owner.id, { slug });
      } catch (err) {
        if (err instanceof AppError && err.code === "unavailable") return undefined;
        return err as Error; // refused for good
      }
    }, 120_000);
    expect(outcome, outcome instanceof Error ? outcome.message : "").not.toBeInstanceOf(Error);
    const team = outcome as Team;
    const ns = await adminCore.readNamespace({ name: namespace });
    expect(ns.metadata!.labels![TEAM_LABEL]).toBe(team.id);
    expect(team.id).not.toBe(orphanTeam);
    expect((await adminCore.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace })).spec?.hard).toBeDefined();
  });

  it("a namespace of a team that exists stays, and the name stays refused", async () => {
    const err = await createTeam(db, owner.id, { slug }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("conflict");
    // Another DB (another install) asking for the same name: its namespace is not touched.
    const other = await postgresTestBackend().open();
    try {
      const [stranger] = await other.db.insert(users).values({ id: newId(), email: `stranger-${newId()}@example.com`, name: "s" }).returning();
      const refused = await createTeam(other.db, stranger.id, { slug }).catch((e) => e);
      expect(refused).toBeInstanceOf(AppError);
      expect((refused as AppError).code).toBe("conflict");
    } finally {
      await other.close();
    }
    const [mine] = await db.select().from(teams).where(eq(teams.slug, slug));
    const ns = await adminCore.readNamespace({ name: namespace });
    expect([ns.metadata!.labels![TEAM_LABEL], ns.metadata!.deletionTimestamp]).toEqual([mine.id, undefined]);
  });

  // Not a crash: a write after the namespace fails (the team's audit event, refused here by a
  // trigger on this test's own database), the transaction rolls back, and the namespace it made
  // must go with it. Before, the compensation only knew the namespace once the whole work had
  // returned, so a failure after it left the namespace behind.
  it("a failure after the namespace, before the commit: the namespace goes again", async () => {
    await db.execute(sql.raw(`CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`));
    await db.execute(sql.raw(`CREATE TRIGGER refuse_team_create BEFORE INSERT ON audit_events FOR EACH ROW WHEN (NEW.action = 'team.create' AND NEW.target = '${failing}') EXECUTE FUNCTION refuse_event()`));
    const err = await createTeam(db, owner.id, { slug: failing }).catch((e) => e);
    expect(String(err?.cause?.message ?? err?.message)).toContain("refused by the test");
    expect(await db.select().from(teams).where(eq(teams.slug, failing))).toHaveLength(0);
    const ns = await adminCore.readNamespace({ name: namespaceForTeam(failing) }).catch(() => undefined);
    expect(ns === undefined || ns.metadata?.deletionTimestamp !== undefined, "the namespace is gone or going").toBe(true);
  });
});
