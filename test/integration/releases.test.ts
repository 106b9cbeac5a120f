import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { AppsV1Api, DiscoveryV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import { apps as appsTable } from "@/db/schema/apps";
import { devboxes } from "@/db/schema/devboxes";
import { releases } from "@/db/schema/releases";
import { snapshots } from "@/db/schema/snapshots";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { appCache } from "@/lib/apps/app-cache";
import { appServiceName } from "@/lib/apps/k8s-objects";
import { appViews } from "@/lib/apps/queries";
import { createApp, deleteApp, findApp, rollbackApp, updateApp } from "@/lib/apps/service";
import { createAppBody } from "@/lib/apps/schemas";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox, deleteDevbox, restartDevbox } from "@/lib/devboxes/service";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { releaseRepository } from "@/lib/releases/build";
import { createRelease, deleteRelease, forkFromRelease } from "@/lib/releases/requests";
import { createReleaseBody } from "@/lib/releases/schemas";
import { commitBeforeRemoval } from "@/lib/snapshots/commit-before-removal";
import { copyImage, getBlob, getManifest, parseImageRef } from "@/lib/snapshots/registry";
import { runRegistryGcSafely } from "@/lib/snapshots/registry-gc";
import { commitDevbox } from "@/lib/snapshots/requests";
import { listSnapshots } from "@/lib/snapshots/service";
import { listTemplates } from "@/lib/templates/queries";
import { eq } from "drizzle-orm";
import fs from "node:fs";
import { admin, adminCore, eventually, openDevboxWorld, podsFromApi, waitForState, type DevboxWorld } from "./devbox-harness";
import { sh } from "./snapshot-helpers";

const run = promisify(execFile);

// Release a running devbox (python http.server in its project folder), deploy it as an app with
// two replicas, update with a request loop running, roll back; the image checked by skopeo and
// run by plain ctr; purge/merge/GC afterwards leave the releases pullable. Real cluster, agent,
// registry; the reconciler runs in-process with the dashboard's identity.
vi.hoisted(() => {
  process.env.DEVBOX_INSTANCE = `it-rel-${Math.random().toString(36).slice(2, 7)}`;
  // few layers and snapshots: a handful of commits already merges and purges
  process.env.DEVBOX_MAX_SNAPSHOT_LAYERS = "2";
  process.env.DEVBOX_KEEP_SNAPSHOTS = "1";
});

const CTR_SOCKET = "/var/lib/devbox-cluster/containerd/containerd.sock";
const PORT = 8000;

describe("releases and apps", () => {
  let world: DevboxWorld;
  let db: Database;
  let owner: User;
  let team: Team;
  let podName = "";

  const body = (tag: string, notes = "") => createReleaseBody.parse({ tag, notes });
  const appBody = (x: Record<string, unknown>) => createAppBody.parse(x);

  /** Ready endpoints of the app's Service (EndpointSlices, as a load balancer sees them). */
  async function readyEndpoints(app: string): Promise<string[]> {
    const slices = await admin.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: team.namespace, labelSelector: `kubernetes.io/service-name=${appServiceName({ name: app })}` });
    return slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses)).sort();
  }

  /** GET / on every ready endpoint, from inside the team namespace (the devbox: its NetworkPolicy admits team Pods). */
  async function contents(app: string): Promise<string[]> {
    const ips = await readyEndpoints(app);
    const out = await sh(team.namespace, podName, ips.map((ip) => `curl -sf -m 3 http://${ip}:${PORT}/index.html`).join("; echo; ") + "; echo");
    return out.split("\n").filter(Boolean);
  }

  const stateOfWeb = async () => (await waitForState(db, team, "web", "Running", 1000).catch(() => undefined))?.state;

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "rel", reconcile: commitBeforeRemoval });
    ({ db, owner, team } = world);
    const python = (await listTemplates(db)).find((t) => t.name === "python")!.id;
    await createDevbox(db, team, owner.id, { name: "web", templateId: python, cpuMillis: 500, memoryMiB: 512, diskMiB: 2048 });
    await waitForState(db, team, "web", "Running");
    const d = (await findDevbox(db, team.id, "web"))!;
    podName = (await podsFromApi(team.namespace, d.id))[0].metadata!.name!;
    await sh(team.namespace, podName, `
      set -e
      cd ~/project
      echo "hello v1" > index.html
      printf '#!/bin/sh\\nexec python3 -m http.server ${PORT} --directory /home/devbox/project\\n' > entrypoint.sh
      chmod +x entrypoint.sh
    `);
    appCache();
  });

  afterAll(async () => {
    for (const a of ["site", "big"]) await deleteApp(db, team, owner.id, a).catch(() => {});
    await appCache().stop();
    await world?.close();
  });

  it("bad input is refused with a clear error and nothing is made", async () => {
    expect(createReleaseBody.safeParse({ tag: "V1 bad" }).success).toBe(false);
    expect(createReleaseBody.safeParse({ tag: "-x" }).success).toBe(false);
    expect(createReleaseBody.safeParse({ tag: "ok", notes: "x".repeat(2001) }).success).toBe(false);
    // a devbox that never ran: no snapshot, no Pod
    const [tpl] = await listTemplates(db);
    await db.insert(devboxes).values({ id: newId(), teamId: team.id, name: "never", templateId: tpl.id, image: tpl.image, cpuMillis: 250, memoryMiB: 256, diskMiB: 1024, user: "devbox", workingDir: "/home/devbox/project", desiredState: "stopped" });
    const err = await createRelease(db, team, owner.id, "never", body("v1")).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.message).toMatch(/never run/);
    const never = (await findDevbox(db, team.id, "never"))!;
    expect(await db.select().from(releases).where(eq(releases.devboxId, never.id))).toEqual([]);
  });

  let v1Digest = "";
  let v1Image = "";

  it("releases a running devbox without stopping it: a flattened image with one own layer and the entrypoint", async () => {
    const d = (await findDevbox(db, team.id, "web"))!;
    const podUid = (await podsFromApi(team.namespace, d.id))[0].metadata!.uid;
    const { release, done } = await createRelease(db, team, owner.id, "web", body("v1", "first"));
    expect(release.status).toBe("pending");
    const r = await done;
    expect(r.failureReason).toBeNull();
    expect(r).toMatchObject({ status: "ready", tag: "v1", notes: "first", entrypoint: ["/home/devbox/project/entrypoint.sh"] });
    v1Digest = r.digest!;
    v1Image = r.image!;
    // still the same Pod, still running
    const [pod] = await podsFromApi(team.namespace, d.id);
    expect(pod.metadata!.uid).toBe(podUid);
    await waitForState(db, team, "web", "Running");
    // duplicate tag
    await expect(createRelease(db, team, owner.id, "web", body("v1"))).rejects.toThrow(/already has a release tagged "v1"/);

    // The registry's view: template layers + one own layer, config with entrypoint, workdir, ports.
    const ref = parseImageRef(r.image!);
    expect(ref.repository).toBe(releaseRepository(team.namespace, "web"));
    const m = (await getManifest(ref.repository, ref.reference))!;
    const tplRef = parseImageRef((await listTemplates(db)).find((t) => t.name === "python")!.image);
    const tpl = (await getManifest(tplRef.repository, tplRef.reference))!;
    expect(m.manifest.layers.length).toBe(tpl.manifest.layers.length + 1);
    expect(m.manifest.layers.slice(0, -1).map((l) => l.digest)).toEqual(tpl.manifest.layers.map((l) => l.digest));
    const cfg = JSON.parse((await getBlob(ref.repository, m.manifest.config.digest)).toString());
    expect(cfg.config.Entrypoint).toEqual(["/usr/bin/tini", "--", "/home/devbox/project/entrypoint.sh"]);
    expect(cfg.config.WorkingDir).toBe("/home/devbox/project");
    expect(cfg.config.ExposedPorts).toEqual({ [`${PORT}/tcp`]: {} });
    expect(cfg.rootfs.diff_ids.length).toBe(m.manifest.layers.length);

    // skopeo reads it as any registry client would
    const { stdout } = await run("skopeo", ["inspect", "--tls-verify=false", `docker://${r.image}`]);
    const inspected = JSON.parse(stdout);
    expect(inspected.Digest).toBe(r.digest);
    expect(inspected.Layers.length).toBe(tpl.manifest.layers.length + 1);
    const { stdout: cfgOut } = await run("skopeo", ["inspect", "--tls-verify=false", "--config", `docker://${r.image}`]);
    expect(JSON.parse(cfgOut).config.Entrypoint).toEqual(["/usr/bin/tini", "--", "/home/devbox/project/entrypoint.sh"]);
  });

  it("the release image runs under plain ctr, alone", async () => {
    const ns = `rel-it-${Math.random().toString(36).slice(2, 7)}`;
    const ctr = (...args: string[]) => run("ctr", ["-a", CTR_SOCKET, "-n", ns, ...args], { timeout: 120_000 });
    const ref = `${v1Image.slice(0, v1Image.lastIndexOf(":"))}@${v1Digest}`;
    try {
      await ctr("images", "pull", "--plain-http", ref);
      await ctr("run", "-d", ref, "rel-ctr");
      const body = await eventually("the server in the ctr container", async () => {
        const { stdout } = await ctr("task", "exec", "--exec-id", `e${Date.now()}`, "rel-ctr", "curl", "-sf", `http://127.0.0.1:${PORT}/index.html`).catch(() => ({ stdout: "" }));
        return stdout.includes("hello v1") ? stdout : undefined;
      }, 30_000);
      expect(body.trim()).toBe("hello v1");
    } finally {
      await ctr("task", "kill", "-s", "SIGKILL", "rel-ctr").catch(() => {});
      await eventually("task gone", async () => ((await ctr("task", "delete", "rel-ctr").then(() => true, (e) => (/not found/.test(String(e)) ? true : undefined))) ? true : undefined), 20_000).catch(() => {});
      await ctr("containers", "delete", "rel-ctr").catch(() => {});
      const { stdout } = await ctr("images", "ls", "-q").catch(() => ({ stdout: "" }));
      for (const i of stdout.split("\n").filter(Boolean)) await ctr("images", "rm", i).catch(() => {});
      await run("ctr", ["-a", CTR_SOCKET, "namespaces", "remove", ns]).catch(() => {});
    }
  });

  it("deploys 2 replicas, both Ready, serving the devbox's content; over quota refused before anything exists", async () => {
    const over = await createApp(db, team, owner.id, appBody({ name: "big", release: { devbox: "web", tag: "v1" }, replicas: 10, cpuMillis: 16000, memoryMiB: 256 })).catch((e) => e);
    expect(over).toBeInstanceOf(AppError);
    expect(over.code).toBe("quota_exceeded");
    expect(await findApp(db, team.id, "big")).toBeUndefined();

    await createApp(db, team, owner.id, appBody({ name: "site", release: { devbox: "web", tag: "v1" }, replicas: 2, cpuMillis: 250, memoryMiB: 128 }));
    const a = (await findApp(db, team.id, "site"))!;
    await eventually("2 ready replicas", async () => {
      const [v] = await appViews(db, [a]);
      return v.status.state === "Ready" && v.pods.filter((p) => p.ready).length === 2 ? v : undefined;
    }, 120_000);
    await eventually("2 ready endpoints", async () => ((await readyEndpoints("site")).length === 2 ? true : undefined));
    expect(await contents("site")).toEqual(["hello v1", "hello v1"]);
    // in use: refused
    await expect(deleteRelease(db, team, owner.id, "web", "v1")).rejects.toThrow(/runs this release/);
  });

  it("updates to a second release with no failed request during the rolling update, then rolls back", async () => {
    // A restart (snapshot, new Pod from it) then a change: v2's snapshot has two own layers, so
    // this release goes through the agent's merge (v1, one own layer, was a blob-mounting copy).
    await restartDevbox(db, team, owner.id, "web");
    await eventually("the new Pod runs", async () => {
      const d = (await findDevbox(db, team.id, "web"))!;
      const [p] = (await podsFromApi(team.namespace, d.id)).filter((x) => x.metadata!.name === `web-${d.podGeneration}` && x.status?.phase === "Running");
      return p && (await stateOfWeb()) === "Running" ? p : undefined;
    }, 120_000).then((p) => (podName = p.metadata!.name!));
    await sh(team.namespace, podName, `echo "hello v2" > ~/project/index.html`);
    const r2 = await (await createRelease(db, team, owner.id, "web", body("v2", "second"))).done;
    expect(r2.failureReason).toBeNull();
    expect(r2.status).toBe("ready");
    const [src] = await db.select().from(snapshots).where(eq(snapshots.id, r2.snapshotId!));
    expect(src.ownLayerCount).toBe(2);
    const ref2 = parseImageRef(r2.image!);
    const tplRef = parseImageRef((await listTemplates(db)).find((t) => t.name === "python")!.image);
    expect((await getManifest(ref2.repository, ref2.reference))!.manifest.layers.length).toBe((await getManifest(tplRef.repository, tplRef.reference))!.manifest.layers.length + 1);

    // A request loop inside the namespace follows the ready endpoints (as kube-proxy would).
    const loop = `rm -f /tmp/stop /tmp/loop.log; touch /tmp/eps; nohup sh -c 'while [ ! -e /tmp/stop ]; do for ip in $(cat /tmp/eps); do if out=$(curl -sf -m 3 http://$ip:${PORT}/index.html); then echo "ok $out"; else echo "fail $ip $(date +%T.%N)"; fi; done; sleep 0.05; done' >> /tmp/loop.log 2>&1 &`;
    let stop = false;
    let last = "";
    const changes: string[] = [];
    const follower = (async () => {
      while (!stop) {
        const ips = (await readyEndpoints("site").catch(() => [])).join(" ");
        if (ips && ips !== last) {
          await sh(team.namespace, podName, `echo '${ips}' > /tmp/eps.new && mv /tmp/eps.new /tmp/eps`).catch(() => {});
          last = ips;
          changes.push(`${new Date().toISOString().slice(11, 23)} ${ips}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const rollout = async (tag: string) => {
      const a = (await findApp(db, team.id, "site"))!;
      await eventually(`rolled out ${tag}`, async () => {
        const [v] = await appViews(db, [a]);
        return v.status.state === "Ready" && v.pods.length === 2 && v.pods.every((p) => p.releaseId === a.releaseId && p.ready && !p.terminating) ? v : undefined;
      }, 180_000);
      await eventually("endpoints follow", async () => ((await contents("site")).every((c) => c === `hello ${tag}`) ? true : undefined), 30_000);
    };
    try {
      await eventually("loop has endpoints", async () => (last ? true : undefined));
      await sh(team.namespace, podName, loop);
      await updateApp(db, team, owner.id, "site", { release: { devbox: "web", tag: "v2" } });
      await rollout("v2");
      await rollbackApp(db, team, owner.id, "site");
      await rollout("v1");
    } finally {
      stop = true;
      await follower;
      await sh(team.namespace, podName, "touch /tmp/stop; sleep 1").catch(() => {});
    }
    const log = await sh(team.namespace, podName, "cat /tmp/loop.log");
    const lines = log.split("\n").filter(Boolean);
    expect(lines.filter((l) => l.startsWith("fail")), `endpoint changes (UTC): ${changes.join(" | ")}`).toEqual([]);
    expect(lines.filter((l) => l === "ok hello v1").length).toBeGreaterThan(10);
    expect(lines.filter((l) => l === "ok hello v2").length).toBeGreaterThan(10);
    const [v] = await appViews(db, [(await findApp(db, team.id, "site"))!]);
    expect(v.release?.tag).toBe("v1");
    expect(v.previousRelease?.tag).toBe("v2");
  }, 300_000); // a restart and two rollouts; on a loaded 2-CPU machine more than the default

  it("a release left pending by a crash after its merge is resumed by the reconciler to ready (no half-made ready)", async () => {
    const d = (await findDevbox(db, team.id, "web"))!;
    const [snap] = await listSnapshots(db, d.id);
    const id = newId();
    const repository = releaseRepository(team.namespace, "web");
    // the state a crash at "release:after-merge" leaves: a pending row, the merged image under build-<id>
    await copyImage(snap.image, repository, `build-${id}`);
    await db.insert(releases).values({
      id, devboxId: d.id, teamId: team.id, tag: "v3", status: "pending", phase: "merge", snapshotId: snap.id, sourceImage: snap.image,
      entrypoint: ["/home/devbox/project/entrypoint.sh"], workingDir: "/home/devbox/project", ports: [{ port: PORT, name: "http" }],
      createdBy: owner.id, heartbeatAt: new Date(Date.now() - 60_000),
    });
    const r = await eventually("the reconciler resumes v3", async () => {
      const [row] = await db.select().from(releases).where(eq(releases.id, id));
      if (row.status === "failed") throw new Error(`failed: ${row.failureReason}`);
      return row.status === "ready" ? row : undefined;
    }, 60_000);
    const m = (await getManifest(repository, "v3"))!;
    expect(m.digest).toBe(r.digest);
    const cfg = JSON.parse((await getBlob(repository, m.manifest.config.digest)).toString());
    expect(cfg.config.Labels["dev.devbox.release-id"]).toBe(id);
    expect(await getManifest(repository, `build-${id}`)).toBeUndefined();
  });

  it("starts a new devbox from a release: it runs as a devbox, with the release's files", async () => {
    const fork = await forkFromRelease(db, team, owner.id, "web", "v2", "web-copy");
    await waitForState(db, team, "web-copy", "Running");
    const [pod] = await podsFromApi(team.namespace, fork.id);
    expect((await sh(team.namespace, pod.metadata!.name!, "cat ~/project/index.html")).trim()).toBe("hello v2");
    await deleteDevbox(db, team, owner.id, "web-copy");
  }, 240_000);

  it("snapshot merge, purge and registry GC after many commits leave every release pullable by digest", async () => {
    const d = (await findDevbox(db, team.id, "web"))!;
    for (let i = 0; i < 4; i++) {
      await sh(team.namespace, podName, `head -c 100000 /dev/urandom > ~/project/junk-${i}.bin`);
      await commitDevbox(db, team, owner.id, "web");
    }
    // merged (without merges the release's commit + these would be 1 + 2 + 4 own layers) and purged
    // (keep 1 + pinned: the releases' source snapshots)
    const snaps = await listSnapshots(db, d.id);
    expect(snaps[0].ownLayerCount).toBeLessThanOrEqual(2);
    expect(snaps.filter((s) => !s.pinned).length).toBeLessThanOrEqual(2);
    expect(snaps.filter((s) => s.pinned).length).toBeGreaterThanOrEqual(2);
    // Developers sharing one cluster log its restarts there; CI machines have no such file.
    if (fs.existsSync("/work/wt/notes")) fs.appendFileSync("/work/wt/notes/CLUSTER.log", `${new Date().toISOString()} rel test (releases.test.ts): registry GC (registry stops for the sweep)\n`);
    const gc = await runRegistryGcSafely(db);
    expect(gc).toBeDefined();
    const rows = await db.select().from(releases).where(eq(releases.devboxId, d.id));
    expect(rows.map((r) => r.tag).sort()).toEqual(["v1", "v2", "v3"]);
    for (const r of rows) {
      const ref = `${r.image!.slice(0, r.image!.lastIndexOf(":"))}@${r.digest}`;
      const { stdout } = await run("skopeo", ["copy", "--src-tls-verify=false", `docker://${ref}`, `dir:/tmp/rel-pull-${r.tag}`]);
      expect(stdout).toMatch(/Writing manifest/);
      await run("rm", ["-rf", `/tmp/rel-pull-${r.tag}`]);
    }
  });

  it("apps converge after a crash: a vanished Deployment is applied again, objects whose row is gone are removed", async () => {
    const apps = admin.makeApiClient(AppsV1Api);
    const a = (await findApp(db, team.id, "site"))!;
    const before = (await apps.readNamespacedDeployment({ name: "site", namespace: team.namespace })).metadata!.uid;
    await apps.deleteNamespacedDeployment({ name: "site", namespace: team.namespace });
    await eventually("the reconciler re-applies site", async () => {
      const d = await apps.readNamespacedDeployment({ name: "site", namespace: team.namespace }).catch(() => undefined);
      return d && d.metadata!.uid !== before ? d : undefined;
    }, 60_000);
    // the state a crash in deleteApp leaves: the row gone, the objects still there
    await db.delete(appsTable).where(eq(appsTable.id, a.id));
    await eventually("the reconciler removes site", async () => {
      const gone = await apps.readNamespacedDeployment({ name: "site", namespace: team.namespace }).then(() => false, () => true);
      const svcGone = await adminCore.readNamespacedService({ name: appServiceName(a), namespace: team.namespace }).then(() => false, () => true);
      return gone && svcGone ? true : undefined;
    }, 60_000);
  });

  it("delete: the release an app ran, once the app is gone; the image goes", async () => {
    expect(await db.select().from(appsTable).where(eq(appsTable.teamId, team.id))).toEqual([]);
    await deleteRelease(db, team, owner.id, "web", "v2");
    const d = (await findDevbox(db, team.id, "web"))!;
    expect((await db.select().from(releases).where(eq(releases.devboxId, d.id))).map((r) => r.tag).sort()).toEqual(["v1", "v3"]);
    const ref = parseImageRef(v1Image);
    expect(await getManifest(ref.repository, "v2")).toBeUndefined();
  });
});
