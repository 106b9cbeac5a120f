// Network isolation between teams, on the bundled cluster with its NetworkPolicy enforcer
// (kube-router, cluster/lib/netpol.sh) and the policies the dashboard's own code gives every team
// namespace (lib/k8s/team-network-policy.ts).
//
// From inside team A's devbox: team B's devbox, other pods, the node agent, the kubelet, any other
// service on the node and the link-local metadata address are unreachable; A's second devbox,
// DNS (port 53) and the rest of the world are reachable. Every "unreachable" is paired with a
// positive control: the same probe from a pod in a namespace WITHOUT the team policies connects,
// so the test fails when the policies stop being enforced.
//
// Nothing leaves this machine: the "metadata address" and the "world" are a network namespace the
// test creates (stand-in listeners on 169.254.169.254 and 198.18.0.10, behind a veth), and only the
// two probing pods' packets are routed to it (source-based `ip rule`s, checked before any probe);
// the host's own route to 169.254.169.254 is untouched. DNS is a stand-in listener on the node's
// port 53 (the cluster has no cluster DNS yet).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { V1Pod } from "@kubernetes/client-node";
import type { Devbox } from "@/db/schema/devboxes";
import type { Team } from "@/db/schema/teams";
import type { User } from "@/db/schema/users";
import { CONTAINER_NAME, podName } from "@/lib/devboxes/k8s-objects";
import { createDevbox } from "@/lib/devboxes/service";
import { randomSuffix } from "@/lib/ids";
import { TEAM_EGRESS_POLICY, TEAM_INGRESS_POLICY } from "@/lib/k8s/team-network-policy";
import { listTeamsForUser } from "@/lib/teams/queries";
import { listTemplates } from "@/lib/templates/queries";
import { registerUser } from "@/lib/users/register";
import { REGISTRY, adminConfig, execIn, untilListening } from "./cluster-helpers";
import { adminCore, eventually, openDevboxWorld, podsFromApi, waitForState, type DevboxWorld } from "./devbox-harness";

process.env.DEVBOX_INSTANCE = `it-${randomSuffix()}`;

const kc = adminConfig();
const PYTHON_IMAGE = `${REGISTRY}/devbox/python:bookworm`;
const AGENT_PORT = Number(process.env.DEVBOX_AGENT_PORT ?? 7070);
const KUBELET_PORT = Number(process.env.DEVBOX_KUBELET_PORT ?? 10250);
const APISERVER_PORT = Number(process.env.DEVBOX_APISERVER_PORT ?? 6443);
const METADATA_IP = "169.254.169.254";
const WORLD_IP = "198.18.0.10"; // benchmarking range (RFC 2544): never a real destination
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: "utf8" });

interface Where {
  ns: string;
  pod: string;
  container: string;
  ip: string;
}

async function run(from: Where, script: string): Promise<string> {
  const r = await execIn(kc, from.ns, from.pod, from.container, ["bash", "-c", script]);
  return r.stdout.trim();
}

/** TCP connect from inside a pod: "open" or "shut" (refused, dropped, timed out). */
async function tcp(from: Where, ip: string, port: number): Promise<"open" | "shut"> {
  const out = await run(from, `timeout 3 bash -c 'exec 3<>/dev/tcp/${ip}/${port}' 2>/dev/null && echo open || echo shut`);
  return out === "open" ? "open" : "shut";
}

/** Polls until the probe gives `want` (the enforcer reacts to new pods within about a second). */
async function eventuallyTcp(from: Where, ip: string, port: number, want: "open" | "shut") {
  await eventually(`${from.ns}/${from.pod} → ${ip}:${port} to be ${want}`, async () => ((await tcp(from, ip, port)) === want ? true : undefined), 30_000);
}

async function devboxWhere(team: Team, d: Devbox): Promise<Where> {
  const pod = await eventually(`pod of ${d.name} with an IP`, async () => {
    const [p] = await podsFromApi(team.namespace, d.id);
    return p?.status?.podIP && p.status.phase === "Running" ? p : undefined;
  });
  return { ns: team.namespace, pod: podName(d), container: CONTAINER_NAME, ip: pod.status!.podIP! };
}

async function controlPod(ns: string, name: string, command: string[]): Promise<Where> {
  const body: V1Pod = {
    metadata: { name },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "main", image: PYTHON_IMAGE, imagePullPolicy: "IfNotPresent", command }],
    },
  };
  await adminCore.createNamespacedPod({ namespace: ns, body });
  const p = await eventually(`${ns}/${name} running`, async () => {
    const pod = await adminCore.readNamespacedPod({ namespace: ns, name });
    return pod.status?.phase === "Running" && pod.status.podIP ? pod : undefined;
  });
  return { ns, pod: name, container: "main", ip: p.status!.podIP! };
}

function hostConnects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect({ host, port, timeout: 2000 }, () => (c.destroy(), resolve(true)));
    c.on("error", () => resolve(false));
    c.on("timeout", () => (c.destroy(), resolve(false)));
  });
}

function listenTcp(host: string, port = 0): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    // probes close with a reset: a connection error must not kill the listener
    const s = net.createServer((c) => {
      c.on("error", () => {});
      c.end("stand-in\n");
    });
    s.once("error", reject);
    s.listen(port, host, () => resolve(s));
  });
}

describe("network isolation between teams", () => {
  let world: DevboxWorld;
  let teamA: Team;
  let teamB: Team;
  let ownerB: User;
  let a1: Where;
  let a2: Where;
  let b1: Where;
  let ctl: Where; // a pod in a namespace without the team policies: the positive control
  let ctlListener: Where;
  let nodeIP: string;
  const ctlNs = `netiso-ctl-${randomSuffix()}`;
  const servers: net.Server[] = [];
  const udpSeen: string[] = [];
  let udp: dgram.Socket | undefined;
  let hostService: net.Server;
  let hostAny: net.Server; // on every address of the node, the bridge gateway included
  // the stand-in network namespace
  const tag = randomSuffix().slice(0, 6).toLowerCase();
  const netns = `netiso-${tag}`;
  const vethHost = `nih${tag}`;
  const vethNs = `nin${tag}`;
  const table = String(20000 + Math.floor(Math.random() * 10000));
  const rules: string[][] = [];
  let standIn: ChildProcess | undefined;

  beforeAll(async () => {
    world = await openDevboxWorld({ who: "netA" });
    teamA = world.team;
    ownerB = await registerUser(world.db, { email: `netB-${randomSuffix()}@example.com`, password: "correct horse 7" });
    [teamB] = await listTeamsForUser(world.db, ownerB.id);
    const python = (await listTemplates(world.db)).find((t) => t.name === "python")!.id;
    const spec = { templateId: python, cpuMillis: 250, memoryMiB: 256, diskMiB: 1024 };
    const [da1, da2, db1] = await Promise.all([
      createDevbox(world.db, teamA, world.owner.id, { name: "a1", ...spec }),
      createDevbox(world.db, teamA, world.owner.id, { name: "a2", ...spec }),
      createDevbox(world.db, teamB, ownerB.id, { name: "b1", ...spec }),
    ]);
    await adminCore.createNamespace({ body: { metadata: { name: ctlNs, labels: { "devbox.test": "netiso" } } } });
    const serve = ["python3", "-m", "http.server", "8000", "--directory", "/tmp"];
    [ctl, ctlListener] = await Promise.all([controlPod(ctlNs, "client", ["sleep", "infinity"]), controlPod(ctlNs, "listener", serve)]);
    for (const [team, name] of [[teamA, "a1"], [teamA, "a2"], [teamB, "b1"]] as const) await waitForState(world.db, team, name, "Running");
    [a1, a2, b1] = await Promise.all([devboxWhere(teamA, da1), devboxWhere(teamA, da2), devboxWhere(teamB, db1)]);
    nodeIP = (await adminCore.readNamespacedPod({ namespace: a1.ns, name: a1.pod })).status!.hostIP!;
    // B's secret and web server, as in the finding; A's second devbox serves too
    for (const w of [b1, a2])
      expect(await run(w, `echo top-secret > /tmp/secret.txt; nohup python3 -m http.server 8000 --directory /tmp >/dev/null 2>&1 & ${untilListening(8000)} && echo started`)).toBe("started");

    // stand-ins on the node: DNS (53/tcp, 53/udp) and "any other service of the node"
    servers.push(await listenTcp(nodeIP, 53));
    hostService = await listenTcp(nodeIP);
    servers.push(hostService);
    hostAny = await listenTcp("0.0.0.0");
    servers.push(hostAny);
    udp = dgram.createSocket("udp4");
    udp.on("message", (m) => udpSeen.push(m.toString().trim()));
    await new Promise<void>((r) => udp!.bind(53, nodeIP, () => r()));

    // the stand-in "metadata" and "world" behind a veth, routed only for a1's and ctl's packets
    sh("ip", ["netns", "add", netns]);
    sh("ip", ["link", "add", vethHost, "type", "veth", "peer", "name", vethNs]);
    sh("ip", ["link", "set", vethNs, "netns", netns]);
    sh("ip", ["addr", "add", "169.254.169.253/32", "dev", vethHost]);
    sh("ip", ["link", "set", vethHost, "up"]);
    for (const a of [`${METADATA_IP}/32`, `${WORLD_IP}/32`]) sh("ip", ["-n", netns, "addr", "add", a, "dev", vethNs]);
    sh("ip", ["-n", netns, "link", "set", vethNs, "up"]);
    sh("ip", ["-n", netns, "link", "set", "lo", "up"]);
    sh("ip", ["-n", netns, "route", "add", "169.254.169.253/32", "dev", vethNs]);
    sh("ip", ["-n", netns, "route", "add", "default", "via", "169.254.169.253", "dev", vethNs, "onlink"]);
    for (const dst of [METADATA_IP, WORLD_IP]) sh("ip", ["route", "add", `${dst}/32`, "dev", vethHost, "table", table]);
    for (const src of [a1.ip, ctl.ip])
      for (const dst of [METADATA_IP, WORLD_IP]) {
        const rule = ["from", `${src}/32`, "to", `${dst}/32`, "lookup", table];
        sh("ip", ["rule", "add", ...rule]);
        rules.push(rule);
      }
    standIn = spawn("ip", ["netns", "exec", netns, process.execPath, "-e", `require("net").createServer((c) => { c.on("error", () => {}); c.end("stand-in\\n"); }).listen(80)`], {
      stdio: "ignore",
    });
    // Safety: a probe to the metadata address must never leave this machine. Both probing pods'
    // routes must point at the veth before any traffic is sent.
    const bridge = process.env.DEVBOX_BRIDGE ?? "devbox0";
    for (const src of [a1.ip, ctl.ip])
      for (const dst of [METADATA_IP, WORLD_IP]) {
        const route = sh("ip", ["route", "get", dst, "from", src, "iif", bridge]);
        if (!route.includes(`dev ${vethHost}`)) throw new Error(`unsafe: ${dst} from ${src} is routed as "${route.trim()}"`);
      }
    await eventually("stand-in listening", async () => (sh("ip", ["netns", "exec", netns, "ss", "-Hltn", "sport = :80"]).includes(":80") ? true : undefined));
  }, 300_000);

  afterAll(async () => {
    standIn?.kill("SIGKILL");
    for (const r of rules) {
      try {
        sh("ip", ["rule", "del", ...r]);
      } catch {}
    }
    try {
      sh("ip", ["route", "flush", "table", table]);
    } catch {}
    try {
      sh("ip", ["netns", "del", netns]); // takes the veth pair with it
    } catch {}
    for (const s of servers) s.close();
    udp?.close();
    await adminCore.deleteNamespace({ name: ctlNs }).catch(() => {});
    await adminCore.deleteNamespace({ name: teamB?.namespace ?? "" }).catch(() => {});
    await world?.close();
  }, 120_000);

  it("every team namespace has the ingress and egress policies", async () => {
    const netApi = kc.makeApiClient((await import("@kubernetes/client-node")).NetworkingV1Api);
    for (const t of [teamA, teamB]) {
      const names = (await netApi.listNamespacedNetworkPolicy({ namespace: t.namespace })).items.map((p) => p.metadata?.name);
      expect(names).toEqual(expect.arrayContaining([TEAM_INGRESS_POLICY, TEAM_EGRESS_POLICY]));
    }
  });

  it("another team's devbox is unreachable (the control reaches an unprotected pod)", { timeout: 120_000 }, async () => {
    await eventuallyTcp(a1, ctlListener.ip, 8000, "shut"); // A's egress: no other pods
    expect(await tcp(ctl, ctlListener.ip, 8000)).toBe("open"); // control: the probe works
    expect(await tcp(a1, b1.ip, 8000)).toBe("shut");
    expect(await run(a1, `curl -s -m 3 http://${b1.ip}:8000/secret.txt || echo refused`)).not.toContain("top-secret");
    await eventuallyTcp(ctl, b1.ip, 8000, "shut"); // B's ingress alone refuses outsiders too
    // and B itself does serve: from B's own pod
    expect(await run(b1, `curl -s -m 3 http://${b1.ip}:8000/secret.txt`)).toBe("top-secret");
  });

  it("a second devbox of the same team is reachable", { timeout: 60_000 }, async () => {
    await eventuallyTcp(a1, a2.ip, 8000, "open");
    expect(await run(a1, `curl -s -m 3 http://${a2.ip}:8000/secret.txt`)).toBe("top-secret");
  });

  it("the node agent, the kubelet, the apiserver and other node services are unreachable", { timeout: 120_000 }, async () => {
    for (const port of [AGENT_PORT, KUBELET_PORT, hostServicePort()]) {
      // control: an unprotected pod connects (to the agent only while it runs: it may be restarting)
      if (port !== AGENT_PORT || (await hostConnects(nodeIP, port))) await eventuallyTcp(ctl, nodeIP, port, "open");
      else console.warn(`the node agent does not listen on ${nodeIP}:${port} now; its control is the other node ports`);
      expect(await tcp(a1, nodeIP, port), `team A → node:${port}`).toBe("shut");
    }
    // the apiserver: Pods reach it on the node address and through the kubernetes Service (an
    // unprotected pod connects), a devbox does not, by name either; nor has it a token to show
    const svcIP = "10.96.0.1";
    for (const [ip, port] of [[nodeIP, APISERVER_PORT], [svcIP, 443]] as const) {
      await eventuallyTcp(ctl, ip, port, "open");
      expect(await tcp(a1, ip, port), `team A → ${ip}:${port}`).toBe("shut");
    }
    // by name: the control gets as far as the apiserver (401: no credentials), the devbox's
    // connection is refused by the enforcer (kube-router REJECTs with ICMP port-unreachable)
    const byName = `curl -sS -m 3 -k -o /dev/null -w '%{http_code}' https://kubernetes.default.svc/version 2>&1; echo " rc=$?"`;
    expect(await run(ctl, byName)).toBe("401 rc=0");
    expect(await run(a1, byName)).toMatch(/Failed to connect to kubernetes\.default\.svc port 443[\s\S]* rc=7$/);
    expect(await run(a1, "ls /var/run/secrets/kubernetes.io/serviceaccount 2>&1 || true")).toMatch(/No such file/);
    // the bridge gateway (the pods' router) is one of the node's addresses too
    const gw = a1.ip.split(".").slice(0, 3).join(".") + ".1";
    const anyPort = (hostAny.address() as net.AddressInfo).port;
    expect(await tcp(ctl, gw, anyPort)).toBe("open");
    expect(await tcp(a1, gw, anyPort)).toBe("shut");
  });

  it("DNS (port 53, TCP and UDP) is allowed to the node, while its other ports are not", { timeout: 60_000 }, async () => {
    expect(await tcp(a1, nodeIP, 53)).toBe("open");
    expect(await tcp(a1, nodeIP, hostServicePort())).toBe("shut");
    const token = `dns-${randomSuffix()}`;
    await run(a1, `echo ${token} > /dev/udp/${nodeIP}/53`);
    await eventually("the UDP datagram on :53", async () => (udpSeen.includes(token) ? true : undefined), 5000);
  });

  it("the link-local metadata address is dropped; the rest of the world is reachable", { timeout: 60_000 }, async () => {
    expect(await tcp(ctl, METADATA_IP, 80)).toBe("open"); // the stand-in answers an unprotected pod
    expect(await tcp(a1, METADATA_IP, 80)).toBe("shut");
    expect(await tcp(ctl, WORLD_IP, 80), diag()).toBe("open");
    expect(await tcp(a1, WORLD_IP, 80), diag()).toBe("open"); // egress to the world is allowed
  });

  function diag(): string {
    const out = (c: string, a: string[]) => {
      try {
        return sh(c, a);
      } catch (e) {
        return String(e);
      }
    };
    return [
      out("ip", ["rule"]),
      out("ip", ["route", "get", WORLD_IP, "from", ctl.ip, "iif", process.env.DEVBOX_BRIDGE ?? "devbox0"]),
      out("ip", ["-n", netns, "addr"]),
      out("ip", ["netns", "exec", netns, "ss", "-ltn"]),
    ].join("\n");
  }

  function hostServicePort(): number {
    return (hostService.address() as net.AddressInfo).port;
  }
});
