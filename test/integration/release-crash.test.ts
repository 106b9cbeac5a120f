import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { releases } from "@/db/schema/releases";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { findDevbox } from "@/lib/devboxes/queries";
import { randomSuffix } from "@/lib/ids";
import { releaseRepository } from "@/lib/releases/build";
import { RELEASE_ID_LABEL } from "@/lib/releases/image";
import { getBlob, getManifest } from "@/lib/snapshots/registry";
import { ApiClient, Dashboard } from "@/test/support/dashboard";
import { eventually, openDevboxWorld, podsFromApi, waitForState, type DevboxWorld } from "./devbox-harness";
import { sh } from "./snapshot-helpers";

// A release interrupted by a crash of the real dashboard (server.ts, SIGKILL at each of the
// release's crash points, PostgreSQL shared with this test): the next dashboard's reconciler
// resumes it to ready — the same image a clean run makes, never a half-made "ready".
describe("release interrupted by a crash", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;
  let dash: Dashboard;
  let api: ApiClient;
  const box = () => `/api/v1/teams/${team.slug}/devboxes/web`;

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "relcrash", backend: "postgres", reconcile: false });
    ({ db, owner, team } = world);
    dash = await Dashboard.create({
      databaseUrl: world.url,
      dataDir: "/tmp/unused",
      instance: `relcrash-${randomSuffix()}`,
      env: { DEVBOX_LEASE_SECONDS: "4", DEVBOX_RELEASE_STALE_MS: "3000" },
    });
    await dash.start();
    api = new ApiClient(dash.url);
    await api.signIn(owner.email, "correct horse 7");
    await api.request("POST", `/api/v1/teams/${team.slug}/devboxes`, { name: "web", templateId: world.templateId, cpuMillis: 500, memoryMiB: 512, diskMiB: 2048 });
    await waitForState(db, team, "web", "Running", 180_000);
  });

  afterAll(async () => {
    await dash?.crash();
    await world?.close();
  });

  for (const point of ["release:after-commit", "release:after-merge", "release:after-push"]) {
    it(`SIGKILL at ${point}: the next dashboard resumes the release to ready`, async () => {
      const tag = point.split(":")[1];
      const d = (await findDevbox(db, team.id, "web"))!;
      const [pod] = (await podsFromApi(team.namespace, d.id)).filter((p) => !p.metadata?.deletionTimestamp);
      await sh(team.namespace, pod.metadata!.name!, `mkdir -p ~/project && echo ${tag} > ~/project/index.html`);
      await dash.crash();
      await dash.start([point]);
      await api.signIn(owner.email, "correct horse 7");
      await api.request("POST", `${box()}/releases`, { tag }).catch(() => {}); // the process may die before it answers
      // It must die at that very point (the log says so), not merely be killed nearby.
      await Promise.race([dash.exited(), new Promise((_, reject) => setTimeout(() => reject(new Error(`never reached ${point}:\n${dash.tail()}`)), 120_000))]);
      expect(dash.tail(200)).toContain(`crash point ${point}`);
      const [pending] = await db.select().from(releases).where(eq(releases.tag, tag));
      expect(pending.status).toBe("pending");
      await dash.start();
      await api.signIn(owner.email, "correct horse 7");
      const r = await eventually(`release ${tag} resumed`, async () => {
        const v = await api.request<{ status: string; failureReason: string | null; digest: string }>("GET", `${box()}/releases/${tag}`);
        if (v.status === "failed") throw new Error(`failed: ${v.failureReason}`);
        return v.status === "ready" ? v : undefined;
      }, 120_000);
      const repository = releaseRepository(team.namespace, "web");
      const m = (await getManifest(repository, tag))!;
      expect(m.digest).toBe(r.digest);
      const cfg = JSON.parse((await getBlob(repository, m.manifest.config.digest)).toString());
      expect(cfg.config.Labels[RELEASE_ID_LABEL]).toBe(pending.id);
      expect(await getManifest(repository, `build-${pending.id}`)).toBeUndefined();
      // the devbox kept running throughout
      await waitForState(db, team, "web", "Running", 60_000);
    }, 300_000);
  }
});
