import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { auditEvents } from "@/db/schema/audit-events";
import { devboxOperations } from "@/db/schema/devbox-operations";
import { devboxes, type Devbox } from "@/db/schema/devboxes";
import { memberships } from "@/db/schema/memberships";
import { apiTokens } from "@/db/schema/api-tokens";
import { previewPorts } from "@/db/schema/preview-ports";
import { releases } from "@/db/schema/releases";
import { snapshots } from "@/db/schema/snapshots";
import { shareLinks } from "@/db/schema/share-links";
import { teamInvites } from "@/db/schema/team-invites";
import { teams, type Team } from "@/db/schema/teams";
import { userSshKeys } from "@/db/schema/user-ssh-keys";
import { users, type User } from "@/db/schema/users";
import { postgresTestBackend } from "@/db/test-backends";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { createDevbox, deleteDevbox } from "@/lib/devboxes/service";
import { findDevbox } from "@/lib/devboxes/queries";
import { createRelease, deleteRelease } from "@/lib/releases/requests";
import { forceStopDevbox } from "@/lib/snapshots/requests";
import { createToken, revokeToken } from "@/lib/tokens/service";
import { apps } from "@/db/schema/apps";
import { createApp, findApp, updateApp } from "@/lib/apps/service";
import { listTemplates, seedBuiltinTemplates } from "@/lib/templates/queries";
import { namespaceForTeam } from "@/lib/teams/namespace-name";
import { adminCore, eventually } from "./devbox-harness";
import { createInvite, revokeInvite } from "@/lib/invites/service";
import { changePortLevel, createShareLink, revokeLink } from "@/lib/preview/service";
import { addSshKey, deleteSshKey } from "@/lib/ssh/user-keys";
import { addMember, createTeam, deleteTeam, removeMember } from "@/lib/teams/service";
import { callUntilCrash } from "@/test/support/crash-call";

// "Every grant, use and revocation lands in the audit log": a grant or revocation of an invite
// link, a share link or a port's preview level, a devbox request, a team's deletion, with the
// process SIGKILLed between its write and its audit event (crash point audit:before-event), must
// either not have happened or be in the log — and the user's retry must end with it done and
// logged once. Before, the write committed alone: the retry found it "already revoked" (or
// "already deleted", or the team gone) and logged nothing, ever. The team's deletion asks the real
// cluster (its namespace, already absent here) and the real registry (its repositories).
process.env.NEXTAUTH_SECRET ??= "sharing-crash-secret";

describe("grants, revocations and deletions killed between their write and their audit event", () => {
  let db: Database;
  let url: string;
  let close: () => Promise<void>;
  let owner: User;
  let team: Team;
  let devbox: Devbox;
  const asOwner = () => ({ ...team, role: "owner" as const });

  beforeAll(async () => {
    const opened = await postgresTestBackend().open();
    ({ db, close } = opened);
    url = opened.url!;
    [owner] = await db.insert(users).values({ id: newId(), email: `sharecrash-${newId()}@example.com`, name: "owner" }).returning();
    [team] = await db.insert(teams).values({ id: newId(), slug: "sharecrash", displayName: "sharecrash", namespace: "devbox-sharecrash" }).returning();
    await db.insert(memberships).values({ teamId: team.id, userId: owner.id, role: "owner" });
    [devbox] = await db
      .insert(devboxes)
      .values({ id: newId(), teamId: team.id, name: "web", templateId: "x", image: "x", cpuMillis: 1, memoryMiB: 1, diskMiB: 1, ports: [{ port: 3000, name: "http" }, { port: 4000, name: "api" }], user: "u", workingDir: "/", createdBy: owner.id })
      .returning();
  });
  afterAll(async () => close?.());

  const audited = async (action: string, where: (details: Record<string, unknown>, target: string | null) => boolean) =>
    (await db.select().from(auditEvents).where(and(eq(auditEvents.teamId, team.id), eq(auditEvents.action, action)))).filter((e) => where(e.details as Record<string, unknown>, e.target));

  const crashIn = async (module: string, fn: string, args: unknown[]) => {
    const run = await callUntilCrash({ databaseUrl: url, module, fn, args, crashPoints: ["audit:before-event"] });
    expect(run.crashed, run.output).toBe(true);
    expect(run.point).toBe("audit:before-event");
  };

  it("share link revoked: the retry leaves it revoked and the revocation logged once", async () => {
    await changePortLevel(db, owner, asOwner(), devbox, 3000, "link");
    const link = await createShareLink(db, owner, asOwner(), devbox, 3000, { label: "demo", expiresInHours: 24 });
    await crashIn("lib/preview/service", "revokeLink", [owner, asOwner(), devbox, link.id]);
    await revokeLink(db, owner, asOwner(), devbox, link.id);
    const [row] = await db.select().from(shareLinks).where(eq(shareLinks.id, link.id));
    expect(row.revokedAt).not.toBeNull();
    expect(await audited("share_link.revoked", (d) => d.linkId === link.id)).toHaveLength(1);
  });

  it("invite revoked: the retry leaves it revoked and the revocation logged once", async () => {
    const invite = await createInvite(db, owner, asOwner(), { role: "developer", maxUses: 3, expiresInHours: 24 });
    await crashIn("lib/invites/service", "revokeInvite", [owner, team, invite.id]);
    await revokeInvite(db, owner, team, invite.id);
    const [row] = await db.select().from(teamInvites).where(eq(teamInvites.id, invite.id));
    expect(row.revokedAt).not.toBeNull();
    expect(await audited("team.invite.revoked", (_d, target) => target === invite.id)).toHaveLength(1);
  });

  it("share link created: no link exists that the log does not show", async () => {
    await crashIn("lib/preview/service", "createShareLink", [owner, asOwner(), devbox, 3000, { label: "lost answer", expiresInHours: 24 }]);
    const links = await db.select().from(shareLinks).where(eq(shareLinks.devboxId, devbox.id));
    for (const l of links) expect(await audited("share_link.created", (d) => d.linkId === l.id), `link ${l.label}`).toHaveLength(1);
  });

  it("invite created: no invite exists that the log does not show", async () => {
    await crashIn("lib/invites/service", "createInvite", [owner, asOwner(), { role: "admin", maxUses: 1, expiresInHours: 24 }]);
    const invites = await db.select().from(teamInvites).where(eq(teamInvites.teamId, team.id));
    for (const i of invites) expect(await audited("team.invite.created", (_d, target) => target === i.id), `invite ${i.role}`).toHaveLength(1);
  });

  it("port level raised: it is either unchanged or logged", async () => {
    await crashIn("lib/preview/service", "changePortLevel", [owner, asOwner(), devbox, 4000, "public"]);
    const [row] = await db.select().from(previewPorts).where(and(eq(previewPorts.devboxId, devbox.id), eq(previewPorts.port, 4000)));
    const logged = await audited("preview.level_set", (d) => d.port === 4000 && d.level === "public");
    expect(row?.level === "public" ? logged.length : 1).toBe(1);
    await changePortLevel(db, owner, asOwner(), devbox, 4000, "public");
    expect(await audited("preview.level_set", (d) => d.port === 4000 && d.level === "public")).toHaveLength(1);
  });

  it("devbox deleted: the retry finds it being deleted and the request is logged once", async () => {
    await crashIn("lib/devboxes/service", "deleteDevbox", [team, owner.id, "web"]);
    await deleteDevbox(db, team, owner.id, "web");
    const [row] = await db.select().from(devboxes).where(eq(devboxes.id, devbox.id));
    expect(row.desiredState).toBe("deleted");
    expect(await audited("devbox.delete", (_d, target) => target === "web")).toHaveLength(1);
  });

  it("team deleted: it is either still there to delete again or its deletion is logged", async () => {
    const [doomed] = await db.insert(teams).values({ id: newId(), slug: `gone-${newId().slice(0, 8)}`, displayName: "gone", namespace: `devbox-auditcrash-${newId().slice(0, 8)}` }).returning();
    await db.insert(memberships).values({ teamId: doomed.id, userId: owner.id, role: "owner" });
    await crashIn("lib/teams/service", "deleteTeam", [owner.id, doomed]);
    const logged = async () => (await db.select().from(auditEvents).where(and(eq(auditEvents.teamId, doomed.id), eq(auditEvents.action, "team.delete")))).length;
    const [still] = await db.select().from(teams).where(eq(teams.id, doomed.id));
    if (!still) expect(await logged()).toBe(1);
    else await deleteTeam(db, owner.id, doomed);
    expect(await db.select().from(teams).where(eq(teams.id, doomed.id))).toHaveLength(0);
    expect(await logged()).toBe(1);
  });

  // Access granted and taken back: a member added or removed, an SSH key (access to the team's
  // devboxes) added or deleted. The user's retry may answer "already a member" / "not found";
  // what counts is the end state, logged once.
  const retry = (p: Promise<unknown>) => p.catch((e) => (e instanceof AppError && ["conflict", "not_found"].includes(e.code) ? e : Promise.reject(e)));
  const memberOf = async (userId: string) => (await db.select().from(memberships).where(and(eq(memberships.teamId, team.id), eq(memberships.userId, userId)))).length;

  it("member added, then removed: each is logged once", async () => {
    const [mate] = await db.insert(users).values({ id: newId(), email: `mate-${newId()}@example.com`, name: "mate" }).returning();
    await crashIn("lib/teams/service", "addMember", [owner.id, team, mate.email, "developer"]);
    await retry(addMember(db, owner.id, team, mate.email, "developer"));
    expect(await memberOf(mate.id)).toBe(1);
    expect(await audited("team.member.add", (_d, target) => target === mate.email)).toHaveLength(1);
    await crashIn("lib/teams/service", "removeMember", [owner.id, team, mate.id]);
    await retry(removeMember(db, owner.id, team, mate.id));
    expect(await memberOf(mate.id)).toBe(0);
    expect(await audited("team.member.remove", (_d, target) => target === mate.id)).toHaveLength(1);
  });

  it("SSH key added, then deleted: each is logged once", async () => {
    const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBJeu34QDMzdkfoODFpGy2GHnfOMEt9MijZ+YyuBURvN crash@test";
    const keyAudit = async (action: string) => (await db.select().from(auditEvents).where(and(eq(auditEvents.actorId, owner.id), eq(auditEvents.action, action)))).length;
    await crashIn("lib/ssh/user-keys", "addSshKey", [owner.id, { name: "laptop", publicKey: key }]);
    await retry(addSshKey(db, owner.id, { name: "laptop", publicKey: key }));
    const keys = await db.select().from(userSshKeys).where(eq(userSshKeys.userId, owner.id));
    expect(keys).toHaveLength(1);
    expect(await keyAudit("ssh_key.add")).toBe(1);
    await crashIn("lib/ssh/user-keys", "deleteSshKey", [owner.id, keys[0].id]);
    await retry(deleteSshKey(db, owner.id, keys[0].id));
    expect(await db.select().from(userSshKeys).where(eq(userSshKeys.userId, owner.id))).toHaveLength(0);
    expect(await keyAudit("ssh_key.delete")).toBe(1);
  });

  // Made, with an answer the process never gave: the retry answers "already exists", so the
  // creation must be in the log already.
  const createdOnce = async (action: string, target: string) => expect(await audited(action, (_d, t) => t === target), `${action} ${target}`).toHaveLength(1);

  it("devbox created: it exists only with its creation logged", async () => {
    await seedBuiltinTemplates(db);
    const templateId = (await listTemplates(db))[0].id;
    const input = { name: "fresh", templateId, cpuMillis: 250, memoryMiB: 256, diskMiB: 1024 };
    await crashIn("lib/devboxes/service", "createDevbox", [team, owner.id, input]);
    await retry(createDevbox(db, team, owner.id, input));
    expect(await findDevbox(db, team.id, "fresh")).toBeDefined();
    await createdOnce("devbox.create", "fresh");
  });

  it("team created: it exists only with its creation logged", async () => {
    const slug = `made-${newId().slice(0, 8)}`;
    try {
      await crashIn("lib/teams/service", "createTeam", [owner.id, { slug }]);
      // Rolled back whole, its namespace is a leftover the retry removes first ("try again in a minute").
      await eventually("the retry to make the team", async () => {
        const made = await retry(createTeam(db, owner.id, { slug })).catch((e) => (e instanceof AppError && e.code === "unavailable" ? undefined : Promise.reject(e)));
        return made === undefined ? undefined : true;
      }, 120_000);
      const [made] = await db.select().from(teams).where(eq(teams.slug, slug));
      expect(made).toBeDefined();
      expect((await db.select().from(auditEvents).where(and(eq(auditEvents.teamId, made.id), eq(auditEvents.action, "team.create")))).length).toBe(1);
    } finally {
      await adminCore.deleteNamespace({ name: namespaceForTeam(slug) }).catch(() => {});
    }
  });

  it("API token created: none exists that the log does not show", async () => {
    await crashIn("lib/tokens/service", "createToken", [owner, { name: "ci", scopes: ["devboxes:read"], expiresInDays: 1 }]);
    const rows = await db.select().from(apiTokens).where(eq(apiTokens.userId, owner.id));
    for (const t of rows) expect((await db.select().from(auditEvents).where(and(eq(auditEvents.action, "token.create"), eq(auditEvents.target, t.id)))).length, `token ${t.name}`).toBe(1);
  });

  it("API token revoked: revoked only with its revocation logged", async () => {
    const { view } = await createToken(db, owner, { name: "laptop", scopes: ["devboxes:read"], expiresInDays: 1 });
    await crashIn("lib/tokens/service", "revokeToken", [owner.id, view.id]);
    // A revoked token leaves the user's list: there is no retry to count on.
    const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, view.id));
    const logged = (await db.select().from(auditEvents).where(and(eq(auditEvents.action, "token.revoke"), eq(auditEvents.target, view.id)))).length;
    expect(logged, `revoked: ${row.revokedAt !== null}`).toBe(row.revokedAt ? 1 : 0);
  });

  it("stop without saving: the changes are discarded only with the discard logged", async () => {
    // A stop already asked for (its commit failing): force-stop marks it to skip the commit.
    const [stuck] = await db
      .insert(devboxes)
      .values({ id: newId(), teamId: team.id, name: "stuck", templateId: "x", image: "x", cpuMillis: 1, memoryMiB: 1, diskMiB: 1, ports: [], user: "u", workingDir: "/", createdBy: owner.id, desiredState: "stopped", lastError: "commit failed" })
      .returning();
    const [op] = await db.insert(devboxOperations).values({ id: newId(), devboxId: stuck.id, teamId: team.id, kind: "stop", actorId: owner.id, details: {} }).returning();
    await crashIn("lib/snapshots/requests", "forceStopDevbox", [team, owner.id, "stuck"]);
    const [after] = await db.select().from(devboxOperations).where(eq(devboxOperations.id, op.id));
    const discarded = (after.details as Record<string, unknown>).discardChanges === true;
    expect(await audited("devbox.force-stop", (_d, target) => target === "stuck"), `discarded: ${discarded}`).toHaveLength(discarded ? 1 : 0);
  });

  it("release created, then deleted: each is logged once", async () => {
    const [rel] = await db
      .insert(devboxes)
      .values({ id: newId(), teamId: team.id, name: "rel", templateId: "x", image: "x", cpuMillis: 1, memoryMiB: 1, diskMiB: 1, ports: [], user: "u", workingDir: "/", createdBy: owner.id, desiredState: "stopped" })
      .returning();
    await db.insert(snapshots).values({ id: newId(), devboxId: rel.id, teamId: team.id, image: "registry.invalid/x:s", digest: "sha256:00", layerCount: 1, ownLayerCount: 1, trigger: "stop", requestId: `seed-${newId()}` });
    await crashIn("lib/releases/requests", "createRelease", [team, owner.id, "rel", { tag: "v1", notes: "", cmd: [], env: [] }]);
    await retry(createRelease(db, team, owner.id, "rel", { tag: "v1", notes: "", cmd: [], env: [] }).then((r) => r.done.catch(() => {})));
    await createdOnce("release.create", "rel:v1");
    // Whatever the build did (no registry image here: it fails), it is over: a release can be deleted then.
    await db.update(releases).set({ status: "failed", finishedAt: new Date() }).where(eq(releases.devboxId, rel.id));
    await crashIn("lib/releases/requests", "deleteRelease", [team, owner.id, "rel", "v1"]);
    await retry(deleteRelease(db, team, owner.id, "rel", "v1"));
    expect(await db.select().from(releases).where(eq(releases.devboxId, rel.id))).toHaveLength(0);
    await createdOnce("release.delete", "rel:v1");
  });

  // An app is a row and its objects in the team's real namespace (made by createTeam). Before, the
  // event came after both: killed there, the app ran with no trace of who made or scaled it, and
  // the retry answered "already exists" (or logged the scale it redid, not the one that ran).
  it("app created, then scaled: each change is there only with its event", async () => {
    const appTeam = await createTeam(db, owner.id, { slug: `apps-${newId().slice(0, 8)}` });
    const asAppOwner = { ...appTeam, role: "owner" as const };
    try {
      const [src] = await db
        .insert(devboxes)
        .values({ id: newId(), teamId: appTeam.id, name: "src", templateId: "x", image: "x", cpuMillis: 1, memoryMiB: 1, diskMiB: 1, ports: [], user: "u", workingDir: "/", createdBy: owner.id, desiredState: "stopped" })
        .returning();
      // No image to pull: zero replicas, so nothing runs; the objects are what is checked.
      await db.insert(releases).values({ id: newId(), devboxId: src.id, teamId: appTeam.id, tag: "v1", status: "ready", image: "registry.invalid/x:v1", digest: `sha256:${"0".repeat(64)}`, entrypoint: ["true"], workingDir: "/" });
      const body = { name: "site", release: { devbox: "src", tag: "v1" }, replicas: 0, cpuMillis: 50, memoryMiB: 32, env: [] };
      const appAudit = async (action: string) => (await db.select().from(auditEvents).where(and(eq(auditEvents.teamId, appTeam.id), eq(auditEvents.action, action)))).length;

      await crashIn("lib/apps/service", "createApp", [asAppOwner, owner.id, body]);
      expect(await appAudit("app.create")).toBe((await findApp(db, appTeam.id, "site")) ? 1 : 0);
      await retry(createApp(db, asAppOwner, owner.id, body));
      expect(await findApp(db, appTeam.id, "site")).toBeDefined();
      expect(await appAudit("app.create")).toBe(1);

      await crashIn("lib/apps/service", "updateApp", [asAppOwner, owner.id, "site", { replicas: 0, cpuMillis: 100 }]);
      const [row] = await db.select().from(apps).where(and(eq(apps.teamId, appTeam.id), eq(apps.name, "site")));
      expect(await appAudit("app.stop"), `cpu ${row.cpuMillis}`).toBe(row.cpuMillis === 100 ? 1 : 0);
      await updateApp(db, asAppOwner, owner.id, "site", { replicas: 0, cpuMillis: 100 });
      expect(await appAudit("app.stop")).toBe(1);
    } finally {
      await adminCore.deleteNamespace({ name: appTeam.namespace }).catch(() => {});
    }
  });

  it("app refused by Kubernetes: no app, and the log says its creation was undone", async () => {
    // This team's namespace does not exist in the cluster: the Deployment is refused (404).
    const [src] = await db
      .insert(devboxes)
      .values({ id: newId(), teamId: team.id, name: "appsrc", templateId: "x", image: "x", cpuMillis: 1, memoryMiB: 1, diskMiB: 1, ports: [], user: "u", workingDir: "/", createdBy: owner.id, desiredState: "stopped" })
      .returning();
    await db.insert(releases).values({ id: newId(), devboxId: src.id, teamId: team.id, tag: "v1", status: "ready", image: "registry.invalid/x:v1", digest: `sha256:${"0".repeat(64)}`, entrypoint: ["true"], workingDir: "/" });
    const err = await createApp(db, asOwner(), owner.id, { name: "refused", release: { devbox: "appsrc", tag: "v1" }, replicas: 0, cpuMillis: 50, memoryMiB: 32, env: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(await findApp(db, team.id, "refused")).toBeUndefined();
    expect((await audited("app.create", (_d, t) => t === "refused")).length).toBe(1);
    expect((await audited("app.create.undone", (_d, t) => t === "refused")).length).toBe(1);
  });
});
