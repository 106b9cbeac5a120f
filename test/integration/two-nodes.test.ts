import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { CONTAINER_NAME } from "@/lib/devboxes/k8s-objects";
import { findDevbox } from "@/lib/devboxes/queries";
import { createDevbox, startDevbox, stopDevbox } from "@/lib/devboxes/service";
import { randomSuffix } from "@/lib/ids";
import { commitBeforeRemoval } from "@/lib/snapshots/commit-before-removal";
import { agentHealthy } from "@/lib/snapshots/agent-client";
import { listSnapshots } from "@/lib/snapshots/service";
import { listTeamsForUser } from "@/lib/teams/queries";
import { listTemplates } from "@/lib/templates/queries";
import { registerUser } from "@/lib/users/register";
import { adminCore, eventually, openDevboxWorld, podsFromApi, waitForState, type DevboxWorld } from "./devbox-harness";
import { STATE_DIR, untilListening } from "./cluster-helpers";
import { node2Leftovers, node2Names } from "./node2-leftovers";
import { sh } from "./snapshot-helpers";
import { clusterScript, NODE1, NODE2, noteClusterChange } from "../support/cluster-script";

// Two nodes on one machine (cluster/lib/node2.sh): `up --nodes 2` adds node 2 to the shared
// cluster (its own netns, containerd, kubelet, kube-proxy, NetworkPolicy enforcer, agent); a devbox
// stopped on node 1 starts on node 2 from its snapshot and back, each commit by the agent of the
// node its Pod ran on; exec works on node 2; team isolation holds for node 2's Pods. At the end
// `node remove 2` takes node 2 out again, so the rest of the suite runs on one node.
// Needs root and the shared cluster's exclusive lock (it adds and removes a node).
vi.hoisted(() => {
  process.env.DEVBOX_INSTANCE = `it-2n-${Math.random().toString(36).slice(2, 7)}`;
  process.env.DEVBOX_AGENT_CONNECT_TIMEOUT_MS = "3000";
});

const NODE2_IP = process.env.DEVBOX_NODE2_IP ?? "10.91.0.2";
const NODE2_POD_CIDR_PREFIX = "10.90."; // DEVBOX_NODE2_POD_CIDR's default, 10.90.0.0/16
const cluster = clusterScript;
const note = (what: string) => noteClusterChange("twonodes test (two-nodes.test.ts)", what);

const onNode = (node: string) => (process.env.DEVBOX_NODE_SELECTOR = `kubernetes.io/hostname=${node}`);

describe("two nodes", () => {
  let world: DevboxWorld;
  let team: Team;
  let teamB: Team;
  let ownerB: User;
  let python = "";
  const spec = () => ({ templateId: python, cpuMillis: 250, memoryMiB: 256, diskMiB: 1024 });

  const podOf = async (t: Team, name: string) => {
    const d = (await findDevbox(world.db, t.id, name))!;
    const [pod] = await podsFromApi(t.namespace, d.id);
    return pod;
  };

  beforeAll(async () => {
    note("up --nodes 2 (adds node 2 to the shared cluster)");
    const up = await cluster(["up", "--nodes", "2"]);
    expect(up.out).toContain(`node ${NODE2} is Ready`);
    expect(up.code).toBe(0);
    world = await openDevboxWorld({ who: "twonodes", reconcile: commitBeforeRemoval });
    team = world.team;
    ownerB = await registerUser(world.db, { email: `twonodesB-${randomSuffix()}@example.com`, password: "correct horse 7" });
    [teamB] = await listTeamsForUser(world.db, ownerB.id);
    python = (await listTemplates(world.db)).find((t) => t.name === "python")!.id;
  }, 700_000);

  afterAll(async () => {
    delete process.env.DEVBOX_NODE_SELECTOR;
    await world?.close();
    if (teamB) await adminCore.deleteNamespace({ name: teamB.namespace }).catch(() => {});
    const removed = await cluster(["node", "remove", "2", "--yes"]);
    note(`node remove 2 (exit ${removed.code})`);
    expect(removed.code, removed.out).toBe(0);
    // nothing of node 2 is left on the host (netns, veth, routes, NAT rules, guard entries, …)
    expect(await node2Leftovers(node2Names(STATE_DIR))).toEqual([]);
    // …and node 1 was left alone: every part of it still runs and is healthy
    const status = await cluster(["status"]);
    expect(status.code, status.out).toBe(0);
    expect(status.out).not.toMatch(/^node2-/m);
  }, 300_000);

  it("node 2 is Ready at its own address with the agent answering there; status shows its parts", async () => {
    const node = await adminCore.readNode({ name: NODE2 });
    expect(node.status?.addresses?.find((a) => a.type === "InternalIP")?.address).toBe(NODE2_IP);
    expect(node.spec?.taints ?? []).toEqual([]);
    expect(node.spec?.podCIDR).toBe(`${NODE2_POD_CIDR_PREFIX}0.0/16`);
    expect(await agentHealthy(NODE2_IP)).toBe(true);
    const status = await cluster(["status"]);
    for (const part of ["node2-containerd", "node2-kubelet", "node2-kube-proxy", "node2-netpol", "node2-registry", "node2-apiserver", "node2-agent"])
      expect(status.out).toMatch(new RegExp(`^${part} +\\S+ +ok `, "m"));
    expect(status.code, status.out).toBe(0);
  });

  it("a devbox stopped on node 1 starts on node 2 from its snapshot, and back: each commit by its node's agent", { timeout: 600_000 }, async () => {
    onNode(NODE1);
    await createDevbox(world.db, team, world.owner.id, { name: "mover", ...spec() });
    await waitForState(world.db, team, "mover", "Running");
    const first = await podOf(team, "mover");
    expect(first.spec!.nodeName).toBe(NODE1);
    await sh(team.namespace, first.metadata!.name!, "mkdir -p ~/proj && echo written-on-node-1 > ~/proj/one.txt && sudo sh -c 'echo opt > /opt/one'");

    await stopDevbox(world.db, team, world.owner.id, "mover");
    const stopped = (await waitForState(world.db, team, "mover", "Stopped")).devbox!;
    const [snap1] = await listSnapshots(world.db, stopped.id);
    expect(snap1).toMatchObject({ trigger: "stop", podUid: first.metadata!.uid });

    onNode(NODE2);
    await startDevbox(world.db, team, world.owner.id, "mover");
    await waitForState(world.db, team, "mover", "Running");
    const second = await podOf(team, "mover");
    expect(second.spec!.nodeName).toBe(NODE2);
    expect(second.status!.hostIP).toBe(NODE2_IP);
    expect(second.status!.podIP!.startsWith(NODE2_POD_CIDR_PREFIX)).toBe(true);
    expect(second.spec!.containers[0].image).toBe(snap1.image);
    // exec (the terminal's path: apiserver → node 2's kubelet → its containerd) works on node 2
    expect(await sh(team.namespace, second.metadata!.name!, "cat ~/proj/one.txt /opt/one; hostname")).toBe("written-on-node-1\nopt\nmover\n");
    await sh(team.namespace, second.metadata!.name!, "echo written-on-node-2 > ~/proj/two.txt");

    // Node 1's agent cannot see node 2's containers: this commit is node 2's agent's
    await stopDevbox(world.db, team, world.owner.id, "mover");
    const again = (await waitForState(world.db, team, "mover", "Stopped")).devbox!;
    const [snap2] = await listSnapshots(world.db, again.id);
    expect(snap2).toMatchObject({ trigger: "stop", podUid: second.metadata!.uid });
    expect(snap2.image).not.toBe(snap1.image);

    onNode(NODE1);
    await startDevbox(world.db, team, world.owner.id, "mover");
    await waitForState(world.db, team, "mover", "Running");
    const third = await podOf(team, "mover");
    expect(third.spec!.nodeName).toBe(NODE1);
    expect(await sh(team.namespace, third.metadata!.name!, "cat ~/proj/one.txt ~/proj/two.txt /opt/one")).toBe("written-on-node-1\nwritten-on-node-2\nopt\n");
  });

  it("node 2's Pods: cluster DNS and Services work; another team's devbox is unreachable in both directions, on node 2 and across nodes; the same team's is reachable across nodes", { timeout: 300_000 }, async () => {
    onNode(NODE2);
    await createDevbox(world.db, team, world.owner.id, { name: "a1", ...spec() });
    await waitForState(world.db, team, "a1", "Running"); // its Pod is built (with this selector) asynchronously
    onNode(NODE1);
    await createDevbox(world.db, team, world.owner.id, { name: "a2", ...spec() });
    await createDevbox(world.db, teamB, ownerB.id, { name: "b1", ...spec() });
    for (const [t, name] of [[team, "a2"], [teamB, "b1"]] as const) await waitForState(world.db, t, name, "Running");
    onNode(NODE2);
    await createDevbox(world.db, teamB, ownerB.id, { name: "b2", ...spec() });
    await waitForState(world.db, teamB, "b2", "Running");
    const [a1, a2, b1, b2] = await Promise.all([podOf(team, "a1"), podOf(team, "a2"), podOf(teamB, "b1"), podOf(teamB, "b2")]);
    expect([a1.spec!.nodeName, a2.spec!.nodeName, b1.spec!.nodeName, b2.spec!.nodeName]).toEqual([NODE2, NODE1, NODE1, NODE2]);
    const where = (t: Team, p: typeof a1) => ({ ns: t.namespace, pod: p.metadata!.name!, ip: p.status!.podIP! });
    const A1 = where(team, a1), A2 = where(team, a2), B1 = where(teamB, b1), B2 = where(teamB, b2);
    for (const w of [A1, A2, B1, B2])
      await sh(w.ns, w.pod, `echo from-${w.pod} > /tmp/secret.txt; setsid nohup python3 -m http.server 8000 --directory /tmp >/dev/null 2>&1 & ${untilListening(8000)}`);

    // ClusterIP of the DNS Service, translated by node 2's kube-proxy, answered by CoreDNS on node 1
    expect(await sh(A1.ns, A1.pod, "getent hosts kubernetes.default.svc.cluster.local | awk '{print $1}'")).toBe("10.96.0.1\n");

    const fetchFrom = (from: typeof A1, to: typeof A1) => sh(from.ns, from.pod, `curl -s -m 3 http://${to.ip}:8000/secret.txt || echo shut`);
    // same team across nodes: open both ways (Pod addresses are kept between the nodes)
    await eventually("a1 (node 2) → a2 (node 1)", async () => ((await fetchFrom(A1, A2)) === `from-${A2.pod}\n` ? true : undefined), 30_000);
    await eventually("a2 (node 1) → a1 (node 2)", async () => ((await fetchFrom(A2, A1)) === `from-${A1.pod}\n` ? true : undefined), 30_000);
    // another team on the same node 2: only node 2's enforcer stands between them
    expect(await fetchFrom(A1, B2)).toBe("shut\n");
    expect(await fetchFrom(B2, A1)).toBe("shut\n");
    // another team across the nodes: shut both ways
    expect(await fetchFrom(A1, B1)).toBe("shut\n");
    expect(await fetchFrom(B1, A1)).toBe("shut\n");
    // and b1 reaches nothing of team A on node 1 either (node 1's enforcer, unchanged)
    expect(await fetchFrom(B1, A2)).toBe("shut\n");

    // The attacker's side of node 2: a devbox there reaches neither node's agent nor the apiserver
    // (node 2's bridge masquerades Pod traffic to node 1's address, so node 1's agent and the
    // apiserver guard would see node 2's address, which they admit; only node 2's enforcer
    // applying the team egress policy before that stands in the way). Both answer from the host.
    const node1IP = (await adminCore.readNode({ name: NODE1 })).status!.addresses!.find((a) => a.type === "InternalIP")!.address;
    expect(await agentHealthy(node1IP)).toBe(true);
    const probe = (url: string) => sh(A1.ns, A1.pod, `curl -sk -m 3 -o /dev/null -w '%{http_code}' ${url} || echo ' shut'`);
    for (const url of [`http://${node1IP}:7070/healthz`, `http://${NODE2_IP}:7070/healthz`, `https://${node1IP}:6443/version`, "https://kubernetes.default.svc/version"])
      expect(await probe(url), url).toMatch(/ shut\n$/);
  });

  it("a Pod on node 2 outside the team policies reaches the apiserver through the kubernetes Service (the apiserver guard admits node 2's pod CIDR)", { timeout: 120_000 }, async () => {
    const ns = `it-2n-api-${randomSuffix()}`;
    await adminCore.createNamespace({ body: { metadata: { name: ns, labels: { "devbox.test": "two-nodes" } } } });
    try {
      await adminCore.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name: "client" },
          spec: {
            nodeName: NODE2,
            automountServiceAccountToken: false,
            containers: [{ name: CONTAINER_NAME, image: `${process.env.DEVBOX_REGISTRY ?? "127.0.0.1:5000"}/devbox/python:bookworm`, command: ["sleep", "infinity"] }],
          },
        },
      });
      await eventually("the client Pod on node 2 to run", async () => ((await adminCore.readNamespacedPod({ namespace: ns, name: "client" })).status?.phase === "Running" ? true : undefined), 90_000);
      // connected and answered (401: no credentials); a guard refusing node 2's Pods resets the connection (curl fails)
      expect(await sh(ns, "client", "curl -sk -m 5 -o /dev/null -w '%{http_code}' https://kubernetes.default.svc/version")).toBe("401");
    } finally {
      await adminCore.deleteNamespace({ name: ns }).catch(() => {});
    }
  });
});
