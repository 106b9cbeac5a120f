import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { CRASH_POINTS, type CrashPoint } from "@/lib/faults/crash-point";
import { findDevbox } from "@/lib/devboxes/queries";
import { randomSuffix } from "@/lib/ids";
import { listSnapshots } from "@/lib/snapshots/service";
import { ApiClient, Dashboard } from "@/test/support/dashboard";
import { eventually, openDevboxWorld, podsFromApi, type DevboxWorld } from "./devbox-harness";
import { sh } from "./snapshot-helpers";

// The stop path killed at each named crash point: the real dashboard (server.ts) handles the
// user's stop request and dies (SIGKILL) at the point; a new dashboard on the same PostgreSQL DB
// converges; the devbox starts again with exactly the tree it had before the stop. Merges and
// purges run on every stop here (DEVBOX_MAX_SNAPSHOT_LAYERS=1, DEVBOX_KEEP_SNAPSHOTS=1), so
// their crash points are reached too.
const PASSWORD = "correct horse 7";

// Files of every kind a snapshot must carry, new ones each round: content in /home, /opt and
// /usr/local, a deleted base file, a symlink, modes; the listing is compared after the restart.
const write = (round: number) => `
set -e
mkdir -p ~/r${round} && head -c 200000 /dev/urandom > ~/r${round}/data && chmod 640 ~/r${round}/data
sudo mkdir -p /opt/r${round} && sudo sh -c 'head -c 3000000 /dev/urandom > /opt/r${round}/blob' && sudo chmod 600 /opt/r${round}/blob
sudo ln -sfn /opt/r${round}/blob /usr/local/r${round}-link
sudo sh -c 'echo round ${round} > /usr/local/r${round}-file'
sudo rm -f /etc/issue.net
sync`;
const TREE = `cd / && for p in $(sudo find /home/devbox /opt /usr/local -path '*/r[0-9]*' | sort); do
  l=$(sudo stat -c '%n %F %a %U' "$p"); if [ -L "$p" ]; then l="$l -> $(readlink "$p")"; elif [ -f "$p" ]; then l="$l $(sudo md5sum < "$p" | cut -c1-32)"; fi; echo "$l"; done
test -e /etc/issue.net && echo "issue.net present" || echo "issue.net gone"`;

describe("stop killed at every crash point", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;
  let dash: Dashboard;
  let api: ApiClient;
  const base = () => `/api/v1/teams/${team.slug}/devboxes`;

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "crashpoints", backend: "postgres", reconcile: false });
    ({ db, owner, team } = world);
    dash = await Dashboard.create({
      databaseUrl: world.url,
      dataDir: "/tmp/unused",
      instance: `crashpoints-${randomSuffix()}`,
      env: { DEVBOX_LEASE_SECONDS: "4", DEVBOX_MAX_SNAPSHOT_LAYERS: "1", DEVBOX_KEEP_SNAPSHOTS: "1", DEVBOX_STOP_GRACE_SECONDS: "3" },
    });
    await dash.start();
    api = new ApiClient(dash.url);
    await api.signIn(owner.email, PASSWORD);
    await api.request("POST", base(), { name: "keep", templateId: world.templateId, cpuMillis: 500, memoryMiB: 512, diskMiB: 2048 });
  });

  afterAll(async () => {
    await dash?.crash();
    await world?.close();
  });

  const state = async () => (await api.request<{ status: { state: string; reason?: string; podName?: string } }>("GET", `${base()}/keep`)).status;
  const waitFor = (want: string) =>
    eventually(() => `keep to be ${want}`, async () => {
      const s = await state();
      return s.state === want ? s : undefined;
    }, 180_000);

  // Points the stop path passes in order; merges and purges follow each commit here. Creates,
  // releases, audit events, forks and teams have their own crash tests (devbox-crash,
  // release-crash, audit-crash, fork-crash, team-create-crash).
  const elsewhere = ["create:", "release:", "audit:", "fork:", "team:"];
  const onStopPath = (p: CrashPoint) => p !== "purge:after-manifest-delete" && !elsewhere.some((prefix) => p.startsWith(prefix));
  const points = CRASH_POINTS.filter(onStopPath).concat("purge:after-manifest-delete");

  it.each(points.map((p, i) => [p, i] as const))("%s: the new dashboard converges, nothing is lost", async (point, round) => {
    const running = await waitFor("Running");
    await sh(team.namespace, running.podName!, write(round));
    const before = await sh(team.namespace, running.podName!, TREE);
    await dash.crash();
    await dash.start([point]);
    await api.request("PUT", `${base()}/keep/state`, { state: "stopped" });
    // It must die at that very point (the log says so), not merely be killed nearby.
    await Promise.race([dash.exited(), new Promise((_, reject) => setTimeout(() => reject(new Error(`never reached ${point}:\n${dash.tail()}`)), 120_000))]);
    expect(dash.tail(200)).toContain(`crash point ${point}`);
    await dash.start();
    await waitFor("Stopped");
    const d = (await findDevbox(db, team.id, "keep"))!;
    // The new leader closed the stop, and the image the next Pod starts from is the newest snapshot.
    await eventually("the stop closed", async () => {
      const ops = await db.query.devboxOperations.findMany({ where: (o, { eq }) => eq(o.devboxId, d.id) });
      return ops.every((o) => o.status !== "pending") ? ops : undefined;
    }, 60_000);
    const snaps = await listSnapshots(db, d.id);
    expect(d.image).toBe(snaps[0].image);
    await api.request("PUT", `${base()}/keep/state`, { state: "running" });
    const back = await waitFor("Running");
    expect(await sh(team.namespace, back.podName!, TREE)).toBe(before);
    expect(await podsFromApi(team.namespace, d.id)).toHaveLength(1);
  }, 400_000);
});
