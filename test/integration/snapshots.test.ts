import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { CONTAINER_NAME } from "@/lib/devboxes/k8s-objects";
import { devboxEvents } from "@/lib/devboxes/k8s-events";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox, startDevbox, stopDevbox } from "@/lib/devboxes/service";
import { commitBeforeRemoval } from "@/lib/snapshots/commit-before-removal";
import { getManifest, parseImageRef } from "@/lib/snapshots/registry";
import { listSnapshots, repositoryOf } from "@/lib/snapshots/service";
import { eventually, openDevboxWorld, podsFromApi, stateOf, waitForState, type DevboxWorld } from "./devbox-harness";
import { setAgentPresent, sh, TREE_SCRIPT } from "./snapshot-helpers";

// Stop = commit through the node agent, then delete; start runs the snapshot. Real cluster, real
// agent, real registry; the reconciler runs in-process with the dashboard's identity.
// Hoisted above the imports: the leader Lease's name is read when its module loads.
vi.hoisted(() => {
  process.env.DEVBOX_INSTANCE = `it-snap-${Math.random().toString(36).slice(2, 7)}`;
  process.env.DEVBOX_AGENT_CONNECT_TIMEOUT_MS = "3000";
});

describe("snapshots: stop commits, start restores", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;
  let templateId: string;
  let nodeIP = "";

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "snap", reconcile: commitBeforeRemoval });
    ({ db, owner, team, templateId } = world);
  });

  afterAll(async () => {
    if (nodeIP) await setAgentPresent(true, nodeIP).catch(() => {});
    await world?.close();
  });

  const currentPod = async (name: string) => {
    const d = (await findDevbox(db, team.id, name))!;
    const [pod] = await podsFromApi(team.namespace, d.id);
    return pod;
  };

  it("files in /home and /opt, a simulated package install, a deleted base file, modes, a symlink and an empty dir survive stop/start", async () => {
    await createDevbox(db, team, owner.id, { name: "keep", templateId, cpuMillis: 500, memoryMiB: 512, diskMiB: 2048 });
    await waitForState(db, team, "keep", "Running");
    const pod = await currentPod("keep");
    nodeIP = pod.status!.hostIP!;
    const templateImage = pod.spec!.containers.find((c) => c.name === CONTAINER_NAME)!.image!;
    await sh(team.namespace, pod.metadata!.name!, `
      set -e
      test -e /etc/motd
      mkdir -p ~/proj && head -c 300000 /dev/urandom > ~/proj/data.bin && echo hello > ~/proj/a.txt
      sudo mkdir -p /opt/tool && echo '#!/bin/sh' | sudo tee /opt/tool/run >/dev/null
      sudo mkdir -p /usr/share/doc/fakepkg && echo doc | sudo tee /usr/share/doc/fakepkg/README >/dev/null
      printf '#!/bin/sh\\necho fake\\n' | sudo tee /usr/local/bin/fakepkg >/dev/null && sudo chmod 755 /usr/local/bin/fakepkg
      printf 'Package: fakepkg\\nStatus: install ok installed\\nVersion: 1.0\\n\\n' | sudo tee -a /var/lib/dpkg/status >/dev/null
      sudo rm /etc/motd
      chmod 0640 ~/proj/a.txt && sudo chmod 0750 /opt/tool/run
      ln -s /opt/tool/run ~/proj/link && mkdir ~/proj/empty
    `);
    const before = await sh(team.namespace, pod.metadata!.name!, TREE_SCRIPT);
    expect(before).toContain("motd gone");
    expect(before).toMatch(/\/home\/devbox\/proj\/a.txt regular file 640 devbox:devbox 6 /);
    expect(before).toContain("/home/devbox/proj/link symbolic link 777 devbox:devbox 13 -> /opt/tool/run");
    expect(before).toMatch(/\/home\/devbox\/proj\/empty directory 755 /);

    // A background process that needs a second to save on SIGTERM, as editors and databases do:
    // the graceful stop gives it that time (the main process waits for it), and the save is kept.
    await sh(team.namespace, pod.metadata!.name!, `setsid nohup bash -c 'trap "sleep 1; echo saved > ~/on-term; exit 0" TERM; while :; do sleep 0.2; done' >/dev/null 2>&1 &`);
    await stopDevbox(db, team, owner.id, "keep");
    const { devbox } = await waitForState(db, team, "keep", "Stopped");
    const [snap] = await listSnapshots(db, devbox!.id);
    expect(snap).toMatchObject({ trigger: "stop", actorId: owner.id, podUid: pod.metadata!.uid, layerCount: 2, ownLayerCount: 1, parentImage: templateImage });
    expect(snap.bytesAdded).toBeGreaterThan(300_000);
    expect(devbox!.image).toBe(snap.image);
    const ref = parseImageRef(snap.image);
    expect(ref.repository).toBe(repositoryOf({ namespace: team.namespace, name: "keep" }));
    expect((await getManifest(ref.repository, ref.reference))?.digest).toBe(snap.digest);

    await startDevbox(db, team, owner.id, "keep");
    await waitForState(db, team, "keep", "Running");
    const again = await currentPod("keep");
    expect(again.spec!.containers[0].image).toBe(snap.image);
    expect(await sh(team.namespace, again.metadata!.name!, TREE_SCRIPT)).toBe(before);
    expect(await sh(team.namespace, again.metadata!.name!, "cat ~/on-term")).toBe("saved\n");
  });

  it("agent unreachable: the devbox stays Stopping with the error and its Pod; once the agent is back the commit completes", async () => {
    const pod = await currentPod("keep");
    await sh(team.namespace, pod.metadata!.name!, "echo 'written while the agent was away' > ~/proj/late.txt");
    await setAgentPresent(false, nodeIP);
    await stopDevbox(db, team, owner.id, "keep");
    const stuck = await eventually("a Stopping devbox waiting for the agent", async () => {
      const s = await stateOf(db, team, "keep");
      return s.state === "Stopping" && /Waiting for the node agent/.test(s.reason ?? "") ? s : undefined;
    });
    // Says what it waits for and when it tries again, not a bare error.
    expect(stuck.reason).toMatch(/^Waiting for the node agent .*the changes stay in the container\. Next try in \d+ s\.$/);
    expect(stuck.devbox?.lastError).toBe(stuck.reason);
    // The container is kept, with its changes.
    expect((await podsFromApi(team.namespace, stuck.devbox!.id)).map((p) => p.metadata?.uid)).toEqual([pod.metadata!.uid]);

    await setAgentPresent(true, nodeIP);
    const { devbox } = await waitForState(db, team, "keep", "Stopped", 180_000);
    expect(devbox!.lastError).toBeNull();
    const [latest] = await listSnapshots(db, devbox!.id);
    expect(latest).toMatchObject({ trigger: "stop", podUid: pod.metadata!.uid, ownLayerCount: 2, layerCount: 3 });
    await startDevbox(db, team, owner.id, "keep");
    await waitForState(db, team, "keep", "Running");
    const after = await currentPod("keep");
    expect(await sh(team.namespace, after.metadata!.name!, "cat ~/proj/late.txt; test -e /etc/motd || echo motd-still-gone")).toBe("written while the agent was away\nmotd-still-gone\n");
  }, 400_000);

  it("a quick stop then start: the start is not marked failed by the old Pod's exit, and the page shows only the new Pod's events", async () => {
    const old = await currentPod("keep");
    await stopDevbox(db, team, owner.id, "keep");
    await startDevbox(db, team, owner.id, "keep");
    const { devbox } = await waitForState(db, team, "keep", "Running", 180_000);
    const now = await currentPod("keep");
    expect(now.metadata!.name).not.toBe(old.metadata!.name);
    // The reconciler closes the start on its next pass after Running: closed, and not as failed.
    const start = await eventually("the start closed", async () => {
      const ops = await db.query.devboxOperations.findMany({ where: (o, { eq }) => eq(o.devboxId, devbox!.id), orderBy: (o, { desc }) => [desc(o.requestedAt)] });
      return ops[0].status !== "pending" ? ops[0] : undefined;
    }, 30_000);
    expect(start).toMatchObject({ kind: "start", status: "succeeded", error: null });
    const events = await devboxEvents(team.namespace, devbox!);
    expect(events.map((e) => e.reason)).not.toContain("Killing");
    expect(await sh(team.namespace, now.metadata!.name!, "cat ~/proj/late.txt")).toBe("written while the agent was away\n");
  }, 300_000);
});
