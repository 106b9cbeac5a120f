import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import type { Database } from "@/db/client";
import { testBackends } from "@/db/test-backends";
import { AppError } from "@/lib/errors";
import { randomSuffix } from "@/lib/ids";
import { findTeamBySlug, listTeamsForUser } from "@/lib/teams/queries";
import { createTeam, deleteTeam } from "@/lib/teams/service";
import { findUserByEmail } from "@/lib/users/queries";
import { registerUser } from "@/lib/users/register";

// The dashboard's own code path and identity (dashboard.kubeconfig, with its narrow RBAC);
// the test checks the outcome as the cluster admin.
const admin = new KubeConfig();
admin.loadFromFile(process.env.DEVBOX_ADMIN_KUBECONFIG ?? "/var/lib/devbox-cluster/kubeconfig/admin.kubeconfig");
const core = admin.makeApiClient(CoreV1Api);

async function namespacePhase(name: string): Promise<string | undefined> {
  try {
    return (await core.readNamespace({ name })).status?.phase ?? "Active";
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

describe("teams against the bundled cluster", () => {
  let db: Database;
  let close: () => Promise<void>;
  const created: string[] = [];

  beforeAll(async () => {
    ({ db, close } = await testBackends()[0].open());
  });
  afterAll(async () => {
    for (const name of created) await core.deleteNamespace({ name }).catch(() => {});
    await close?.();
  });

  it("sign-up creates the user, a personal team and its namespace", async () => {
    const email = `it-${randomSuffix()}@example.com`;
    const user = await registerUser(db, { email, password: "correct horse 7" });
    const [team] = await listTeamsForUser(db, user.id);
    created.push(team.namespace);
    expect(team.personal).toBe(true);
    expect(team.role).toBe("owner");
    expect(await namespacePhase(team.namespace)).toBe("Active");
    const quota = await core.readNamespacedResourceQuota({ name: "devbox-quota", namespace: team.namespace });
    expect(quota.spec?.hard?.pods).toBe("20");
  });

  it("refuses a team whose namespace already belongs to something else, and creates nothing", async () => {
    const user = await registerUser(db, { email: `it-${randomSuffix()}@example.com`, password: "correct horse 7" });
    const slug = `taken-${randomSuffix()}`;
    await core.createNamespace({ body: { metadata: { name: `devbox-${slug}` } } });
    created.push(`devbox-${slug}`);
    const err = await createTeam(db, user.id, { slug }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("conflict");
    expect(await findTeamBySlug(db, slug)).toBeUndefined();
    // The foreign namespace is untouched.
    expect(await namespacePhase(`devbox-${slug}`)).toBe("Active");
  });

  it("a failed sign-up leaves no user behind", async () => {
    const email = `it-${randomSuffix()}@example.com`;
    const saved = process.env.DEVBOX_NAMESPACE_PREFIX;
    // A prefix that makes an invalid namespace name: Kubernetes refuses, the transaction rolls back.
    process.env.DEVBOX_NAMESPACE_PREFIX = "Invalid_";
    try {
      await expect(registerUser(db, { email, password: "correct horse 7" })).rejects.toBeInstanceOf(AppError);
    } finally {
      if (saved === undefined) delete process.env.DEVBOX_NAMESPACE_PREFIX;
      else process.env.DEVBOX_NAMESPACE_PREFIX = saved;
    }
    expect(await findUserByEmail(db, email)).toBeUndefined();
  });

  it("deleting a team deletes its namespace", async () => {
    const user = await registerUser(db, { email: `it-${randomSuffix()}@example.com`, password: "correct horse 7" });
    const slug = `gone-${randomSuffix()}`;
    const team = await createTeam(db, user.id, { slug });
    expect(await namespacePhase(team.namespace)).toBe("Active");
    await deleteTeam(db, user.id, team);
    expect(await findTeamBySlug(db, slug)).toBeUndefined();
    // Namespace deletion is asynchronous in Kubernetes: Terminating, then gone.
    expect(["Terminating", undefined]).toContain(await namespacePhase(team.namespace));
  });

  it("limits the teams a user owns (besides the personal one), with a clear error and nothing created", async () => {
    const user = await registerUser(db, { email: `it-${randomSuffix()}@example.com`, password: "correct horse 7" });
    created.push((await listTeamsForUser(db, user.id))[0].namespace);
    const saved = process.env.DEVBOX_MAX_TEAMS_PER_USER;
    process.env.DEVBOX_MAX_TEAMS_PER_USER = "1";
    try {
      const first = await createTeam(db, user.id, { slug: `lim-${randomSuffix()}` }); // allowed
      created.push(first.namespace);
      expect(await namespacePhase(first.namespace)).toBe("Active");
      const slug = `lim-${randomSuffix()}`;
      const err = await createTeam(db, user.id, { slug }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("quota_exceeded");
      expect((err as AppError).message).toMatch(/at most 1 team/);
      expect(await findTeamBySlug(db, slug)).toBeUndefined();
      expect(await namespacePhase(`devbox-${slug}`)).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.DEVBOX_MAX_TEAMS_PER_USER;
      else process.env.DEVBOX_MAX_TEAMS_PER_USER = saved;
    }
  });

  it.each(testBackends().map((b) => [b.name, b] as const))("two parallel sign-ups on an empty %s DB make exactly one instance admin", async (_name, backend) => {
    const fresh = await backend.open();
    try {
      const users = await Promise.all(
        [1, 2].map((i) => registerUser(fresh.db, { email: `first-${i}-${randomSuffix()}@example.com`, password: "correct horse 7" })),
      );
      for (const u of users) created.push((await listTeamsForUser(fresh.db, u.id))[0].namespace);
      expect(users.filter((u) => u.isInstanceAdmin)).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });
});
