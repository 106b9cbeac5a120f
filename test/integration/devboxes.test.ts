import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import type { Team } from "@/db/schema/teams";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { CONTAINER_NAME, podName, secretName, serviceName } from "@/lib/devboxes/k8s-objects";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox, deleteDevbox, restartDevbox, startDevbox, stopDevbox, updateDevbox } from "@/lib/devboxes/service";
import { AppError } from "@/lib/errors";
import { randomSuffix } from "@/lib/ids";
import { listTeamsForUser } from "@/lib/teams/queries";
import { registerUser } from "@/lib/users/register";
import type { User } from "@/db/schema/users";
import { adminCore, eventually, installProcessDatabase, openDevboxWorld, podsFromApi, waitForState, type DevboxWorld } from "./devbox-harness";

// The dashboard's code path end to end: service → DB → reconciler → real Kubernetes, with the
// dashboard's own identity; the test checks Kubernetes as the admin.
process.env.DEVBOX_INSTANCE = `it-${randomSuffix()}`;

describe("devbox lifecycle against the bundled cluster", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;
  let templateId: string;

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "life" });
    ({ db, owner, team, templateId } = world);
  });
  afterAll(async () => world?.close());

  it("create → Running, with Pod, Secret and Service labelled and owned", async () => {
    await createDevbox(db, team, owner.id, { name: "web", templateId, cpuMillis: 500, memoryMiB: 512, diskMiB: 2048, ports: [{ port: 3000, name: "http" }], env: [{ name: "FOO", value: "bar" }] });
    const { devbox } = await waitForState(db, team, "web", "Running");
    const [pod] = await podsFromApi(team.namespace, devbox!.id);
    expect(pod.metadata?.name).toBe(podName(devbox!));
    expect(pod.spec?.automountServiceAccountToken).toBe(false);
    expect(pod.spec?.restartPolicy).toBe("Never");
    const c = pod.spec!.containers.find((x) => x.name === CONTAINER_NAME)!;
    expect(c.resources?.limits).toMatchObject({ cpu: "500m", memory: "512Mi", "ephemeral-storage": "2Gi" });
    expect(c.env).toContainEqual({ name: "FOO", value: "bar" });
    const secret = await adminCore.readNamespacedSecret({ name: secretName(devbox!), namespace: team.namespace });
    expect(Object.keys(secret.data ?? {})).toEqual(expect.arrayContaining(["ssh_host_ed25519_key", "authorized_keys"]));
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "Secret", uid: secret.metadata?.uid });
    const svc = await adminCore.readNamespacedService({ name: serviceName(devbox!), namespace: team.namespace });
    expect(svc.spec?.ports?.map((p) => p.port)).toEqual([3000]);
  });

  it("stop → Pod gone, Stopped; start → Running again; two clicks do it once", async () => {
    await Promise.all([stopDevbox(db, team, owner.id, "web"), stopDevbox(db, team, owner.id, "web")]);
    const { devbox } = await waitForState(db, team, "web", "Stopped");
    expect(await podsFromApi(team.namespace, devbox!.id)).toHaveLength(0);
    await Promise.all([startDevbox(db, team, owner.id, "web"), startDevbox(db, team, owner.id, "web")]);
    await waitForState(db, team, "web", "Running");
    expect(await podsFromApi(team.namespace, devbox!.id)).toHaveLength(1);
  });

  it("restart → a new Pod; a second click with the same generation restarts nothing", async () => {
    const before = (await findDevbox(db, team.id, "web"))!;
    const [oldPod] = await podsFromApi(team.namespace, before.id);
    await restartDevbox(db, team, owner.id, "web", before.podGeneration);
    await restartDevbox(db, team, owner.id, "web", before.podGeneration);
    const { devbox } = await waitForState(db, team, "web", "Running");
    expect(devbox!.podGeneration).toBe(before.podGeneration + 1);
    const pods = await eventually("old pod gone", async () => {
      const p = await podsFromApi(team.namespace, before.id);
      return p.length === 1 ? p : undefined;
    });
    expect(pods[0].metadata?.uid).not.toBe(oldPod.metadata?.uid);
    expect(pods[0].metadata?.name).toBe(podName(devbox!));
  });

  it("update memory → the new Pod has the new limits", async () => {
    const before = (await findDevbox(db, team.id, "web"))!;
    await updateDevbox(db, team, owner.id, "web", { memoryMiB: 768, seenGeneration: before.podGeneration });
    await eventually("new pod with 768Mi running", async () => {
      const pods = await podsFromApi(team.namespace, before.id);
      const p = pods.find((x) => x.spec?.containers[0].resources?.limits?.memory === "768Mi" && x.status?.phase === "Running");
      return p && pods.length === 1 ? p : undefined;
    });
    await waitForState(db, team, "web", "Running");
  });

  it("a devbox over the team quota is refused with a clear error and nothing is created", async () => {
    const err = await createDevbox(db, team, owner.id, { name: "huge", templateId, cpuMillis: 16000, memoryMiB: 1024, diskMiB: 2048 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("quota_exceeded");
    expect((err as AppError).message).toMatch(/exceed the team's quota \(CPU: 16 CPU asked/);
    expect(await findDevbox(db, team.id, "huge")).toBeUndefined();
    const pods = await adminCore.listNamespacedPod({ namespace: team.namespace });
    expect(pods.items.map((p) => p.metadata?.name)).not.toContainEqual(expect.stringMatching(/^huge/));
  });

  it("the owner reaches the devbox; another team's member gets not-found for every action", async () => {
    // Authorization reads the process-wide DB: make it this test's, or every lookup would miss
    // and refuse members and strangers alike.
    const restore = installProcessDatabase(db);
    const stranger = await registerUser(db, { email: `stranger-${randomSuffix()}@example.com`, password: "correct horse 7" });
    const [strangerTeam] = await listTeamsForUser(db, stranger.id);
    try {
      // The allowed user is allowed (each role of a shared team: e2e/authz-matrix.spec.ts).
      await expect(requireDevboxRole(owner, team.slug, "web", "developer")).resolves.toMatchObject({ devbox: { name: "web" }, team: { id: team.id, role: "owner" } });
      await expect(requireDevboxRole(owner, team.slug, "no-such-box", "viewer")).rejects.toMatchObject({ code: "not_found", message: "Devbox not found" });

      await expect(requireDevboxRole(stranger, team.slug, "web", "viewer")).rejects.toMatchObject({ code: "not_found", message: "Team not found" });
      // Even with their own team in hand, the devbox is not in it.
      await expect(requireDevboxRole(stranger, strangerTeam.slug, "web", "viewer")).rejects.toMatchObject({ code: "not_found", message: "Devbox not found" });
      for (const act of [stopDevbox, startDevbox, deleteDevbox, (d: Database, t: Team, a: string, n: string) => restartDevbox(d, t, a, n)])
        await expect(act(db, strangerTeam, stranger.id, "web")).rejects.toMatchObject({ code: "not_found" });
      await expect(updateDevbox(db, strangerTeam, stranger.id, "web", { memoryMiB: 512 })).rejects.toMatchObject({ code: "not_found" });
      await waitForState(db, team, "web", "Running", 5_000);
    } finally {
      restore();
      await adminCore.deleteNamespace({ name: strangerTeam.namespace }).catch(() => {});
    }
  });

  it("delete → every labelled object gone, then the record", async () => {
    const d = (await findDevbox(db, team.id, "web"))!;
    await deleteDevbox(db, team, owner.id, "web");
    await waitForState(db, team, "web", "Gone");
    const selector = `devbox.dev/devbox-id=${d.id}`;
    expect((await adminCore.listNamespacedPod({ namespace: team.namespace, labelSelector: selector })).items).toHaveLength(0);
    expect((await adminCore.listNamespacedSecret({ namespace: team.namespace, labelSelector: selector })).items).toHaveLength(0);
    expect((await adminCore.listNamespacedService({ namespace: team.namespace, labelSelector: selector })).items).toHaveLength(0);
  });
});
