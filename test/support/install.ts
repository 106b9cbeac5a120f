// The install (deploy/) applied into the bundled cluster next to its own dashboard, as a second
// install with its own names (deploy/README.md, "Two installs in one cluster"): its namespace,
// cluster objects with a suffix, its own agent port, registry port on the node, Lease and team
// namespace prefix. Used by test/integration/install.test.ts, install-replicas.test.ts and
// bench/install.ts.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { AppsV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { ADMIN_KUBECONFIG, adminConfig, REGISTRY, STATE_DIR, waitFor } from "../integration/cluster-helpers";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const BASE = path.join(ROOT, "deploy/base");

export interface InstallImages {
  dashboard: string;
  registry: string;
  agent: string;
  /** devbox/postgres (deploy/components/postgres), when built */
  postgres?: string;
}

export interface Install {
  suffix: string;
  namespace: string;
  /** the dashboard's Service, as users open it (NEXTAUTH_URL) */
  url: string;
  /** where the nodes (and this host) reach the install's registry */
  registry: string;
  agentPort: number;
  /** team namespaces this install's dashboard makes start with this */
  teamPrefix: string;
  /** the overlay folder: kubectl apply -k / delete -k */
  dir: string;
  /** hostPath folders behind the install's PersistentVolumes */
  hostDir: string;
  /** cluster-scoped objects the install creates, as kubectl names them */
  clusterObjects: string[];
}

export function kubectlPath(): string {
  const bin = path.join(process.env.DEVBOX_CACHE_DIR ?? path.join(os.homedir(), ".cache/devbox"), "bin/v1.34.4/kubectl");
  if (!fs.existsSync(bin)) throw new Error(`no kubectl at ${bin}: start the cluster first (npm run cluster -- up)`);
  return bin;
}

export async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(kubectlPath(), ["--kubeconfig", ADMIN_KUBECONFIG, ...args], { maxBuffer: 64 << 20 });
  return stdout;
}

/** deploy/images/build.sh into the bundled registry; the agent image is the bundled cluster's own. */
export async function buildInstallImages(opts: { postgres?: boolean } = {}): Promise<InstallImages> {
  const images = ["dashboard", "registry", ...(opts.postgres ? ["postgres"] : [])].join(",");
  const { stdout } = await run("bash", [path.join(ROOT, "deploy/images/build.sh"), "--registry", REGISTRY, "--images", images], { cwd: ROOT, maxBuffer: 16 << 20, timeout: 1_200_000 });
  const refs = Object.fromEntries(stdout.trim().split("\n").map((l) => l.split(" ") as [string, string]));
  const ds = await adminConfig().makeApiClient(AppsV1Api).readNamespacedDaemonSet({ name: "devbox-agent", namespace: "devbox-system" });
  const agent = ds.spec!.template.spec!.containers[0].image!;
  if (!refs.dashboard || !refs.registry) throw new Error(`deploy/images/build.sh printed no image references: ${stdout}`);
  if (opts.postgres && !refs.postgres) throw new Error(`deploy/images/build.sh printed no postgres image: ${stdout}`);
  return { dashboard: refs.dashboard, registry: refs.registry, agent, postgres: refs.postgres };
}

async function freeLocalPort(from: number, to: number, host = "127.0.0.1"): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = from + Math.floor(Math.random() * (to - from));
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once("error", () => resolve(false));
      s.listen(port, host, () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}-${to} on ${host}`);
}

function nodeIP(): string {
  for (const list of Object.values(os.networkInterfaces()))
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal && !a.address.startsWith("10.88.")) return a.address;
  throw new Error("no node address");
}

/** A ClusterIP in the upper half of the service range that no Service holds yet. */
async function freeClusterIP(core: CoreV1Api): Promise<string> {
  const taken = new Set((await core.listServiceForAllNamespaces()).items.map((s) => s.spec?.clusterIP));
  const [a, b] = (process.env.DEVBOX_SERVICE_CIDR ?? "10.96.0.0/16").split(".").map(Number);
  for (;;) {
    const ip = `${a}.${b}.${128 + Math.floor(Math.random() * 120)}.${2 + Math.floor(Math.random() * 250)}`;
    if (!taken.has(ip)) return ip;
  }
}

const jsonPatch = (ops: object[]) => JSON.stringify(ops);

/**
 * Where the install's dashboard may reach the node agents from: the pod network of every node
 * (spec.podCIDR, node 1 has none here: DEVBOX_POD_CIDR) and every node's address (a Pod's
 * connection to another node's agent leaves masqueraded to its own node's address).
 */
async function agentSources(core: CoreV1Api): Promise<string[]> {
  const nodes = (await core.listNode()).items;
  const ranges = new Set([process.env.DEVBOX_POD_CIDR ?? "10.88.0.0/16"]);
  for (const n of nodes) {
    if (n.spec?.podCIDR) ranges.add(n.spec.podCIDR);
    const ip = n.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
    if (ip) ranges.add(ip);
  }
  return [...ranges];
}

export interface InstallOptions {
  replicas?: number;
  /** extra config.env lines */
  config?: Record<string, string>;
  /** nodeSelector of the dashboard Pods (e.g. one node of two, to know which paths cross nodes) */
  dashboardNodeSelector?: Record<string, string>;
  /** the bundled PostgreSQL (deploy/components/postgres) instead of PGlite */
  postgres?: boolean;
}

/** Writes the overlay a user would write (deploy/overlays/example), plus the renames of a second install. */
export async function writeInstallOverlay(images: InstallImages, opts: InstallOptions = {}): Promise<Install> {
  const suffix = randomBytes(3).toString("hex");
  const namespace = `devbox-it-${suffix}`;
  const kc = adminConfig();
  const clusterIP = await freeClusterIP(kc.makeApiClient(CoreV1Api));
  const registryPort = await freeLocalPort(15000, 16000);
  const agentPort = await freeLocalPort(17000, 18000, nodeIP());
  fs.mkdirSync(path.join(ROOT, ".cache"), { recursive: true }); // a fresh clone has none
  const dir = fs.mkdtempSync(path.join(ROOT, ".cache/install-"));
  const hostDir = path.join(STATE_DIR, "..", `devbox-install-${suffix}`);
  const teamPrefix = `dbx${suffix}-`;
  const teamRole = `devbox:dashboard-team-${suffix}`;
  const ref = (image: string) => ({ newName: image.slice(0, image.lastIndexOf(":")), newTag: image.slice(image.lastIndexOf(":") + 1) });
  const renamed = {
    clusterRole: `devbox:dashboard-${suffix}`,
    binding: `devbox:dashboard-${suffix}`,
    policy: `devbox-dashboard-team-scope-${suffix}`,
    pvRegistry: `devbox-registry-${suffix}`,
    pvData: `devbox-dashboard-data-${suffix}`,
    pvPostgres: `devbox-postgres-${suffix}`,
  };
  // hostPath volumes for the two claims (the bundled cluster has no provisioner), owned by the
  // Pods' user
  for (const d of ["registry", "data", "postgres"]) {
    fs.mkdirSync(path.join(hostDir, d), { recursive: true });
    fs.chownSync(path.join(hostDir, d), 1000, 1000);
  }
  const pv = (name: string, claim: string, sub: string) => ({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, labels: { "devbox.dev/install": suffix } },
    spec: {
      capacity: { storage: "50Gi" },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Retain",
      storageClassName: "",
      claimRef: { namespace, name: claim },
      hostPath: { path: path.join(hostDir, sub), type: "Directory" },
    },
  });
  const volumes = [pv(renamed.pvRegistry, "devbox-registry-storage", "registry"), pv(renamed.pvData, "devbox-dashboard-data", "data")];
  if (opts.postgres) volumes.push(pv(renamed.pvPostgres, "data-devbox-postgres-0", "postgres")); // the StatefulSet's claim
  fs.writeFileSync(path.join(dir, "volumes.yaml"), volumes.map((o) => JSON.stringify(o)).join("\n---\n"));
  if (opts.postgres && !images.postgres) throw new Error("postgres: build the image first (buildInstallImages({ postgres: true }))");
  fs.writeFileSync(path.join(dir, "agent-token"), randomBytes(32).toString("hex"), { mode: 0o600 });
  fs.writeFileSync(
    path.join(dir, "config.env"),
    [
      `NEXTAUTH_URL=http://${clusterIP}`,
      `DEVBOX_APPS_DOMAIN=apps-${suffix}.localhost`,
      `DEVBOX_REGISTRY=127.0.0.1:${registryPort}`,
      `DEVBOX_AGENT_PORT=${agentPort}`,
      `DEVBOX_AGENT_ALLOW_FROM=${(await agentSources(kc.makeApiClient(CoreV1Api))).join(",")}`,
      `DEVBOX_INSTANCE=install-${suffix}`,
      `DEVBOX_NAMESPACE_PREFIX=${teamPrefix}`,
      `DEVBOX_NAMESPACE_LABELS=devbox.dev/test-run=true`,
      `DEVBOX_TEAM_CLUSTER_ROLE=${teamRole}`,
      // one sign-up address (this host) for every test user
      `DEVBOX_SIGNUP_LIMIT_PER_IP=1000`,
      ...Object.entries(opts.config ?? {}).map(([k, v]) => `${k}=${v}`),
    ].join("\n") + "\n",
  );
  const rel = path.relative(dir, BASE);
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    namespace,
    resources: [rel, "volumes.yaml"],
    components: opts.postgres ? [path.relative(dir, path.join(ROOT, "deploy/components/postgres"))] : undefined,
    images: [
      ...(images.postgres ? [{ name: "devbox/postgres", ...ref(images.postgres) }] : []),
      { name: "devbox/dashboard", ...ref(images.dashboard) },
      { name: "devbox/registry", ...ref(images.registry) },
      { name: "devbox/agent", ...ref(images.agent) },
    ],
    replicas: opts.replicas ? [{ name: "devbox-dashboard", count: opts.replicas }] : undefined,
    configMapGenerator: [{ name: "devbox-config", behavior: "merge", envs: ["config.env"] }],
    secretGenerator: [
      { name: "devbox-agent-token", options: { disableNameSuffixHash: true }, files: ["token=agent-token"] },
      ...(opts.postgres ? [{ name: "devbox-postgres", options: { disableNameSuffixHash: true }, literals: [`password=${randomBytes(24).toString("hex")}`] }] : []),
    ],
    patches: [
      { target: { kind: "ClusterRole", name: "devbox:dashboard" }, patch: jsonPatch([
        { op: "replace", path: "/metadata/name", value: renamed.clusterRole },
        { op: "replace", path: "/rules/6/resourceNames", value: [teamRole] },
      ]) },
      { target: { kind: "ClusterRole", name: "devbox:dashboard-team" }, patch: jsonPatch([{ op: "replace", path: "/metadata/name", value: teamRole }]) },
      { target: { kind: "ClusterRoleBinding", name: "devbox:dashboard" }, patch: jsonPatch([
        { op: "replace", path: "/metadata/name", value: renamed.binding },
        { op: "replace", path: "/roleRef/name", value: renamed.clusterRole },
      ]) },
      { target: { kind: "ValidatingAdmissionPolicy" }, patch: jsonPatch([{ op: "replace", path: "/metadata/name", value: renamed.policy }]) },
      { target: { kind: "ValidatingAdmissionPolicyBinding" }, patch: jsonPatch([
        { op: "replace", path: "/metadata/name", value: renamed.policy },
        { op: "replace", path: "/spec/policyName", value: renamed.policy },
      ]) },
      { target: { kind: "Service", name: "devbox-dashboard" }, patch: jsonPatch([{ op: "add", path: "/spec/clusterIP", value: clusterIP }]) },
      { target: { kind: "PersistentVolumeClaim" }, patch: jsonPatch([{ op: "add", path: "/spec/storageClassName", value: "" }]) },
      ...(opts.postgres
        ? [{ target: { kind: "StatefulSet", name: "devbox-postgres" }, patch: jsonPatch([{ op: "add", path: "/spec/volumeClaimTemplates/0/spec/storageClassName", value: "" }]) }]
        : []),
      { target: { kind: "DaemonSet", name: "devbox-agent" }, patch: jsonPatch([
        { op: "replace", path: "/spec/template/spec/containers/0/ports/0", value: { name: "api", containerPort: agentPort, hostPort: agentPort } },
        // the bundled cluster's containerd (agent/deploy/render.sh does the same)
        { op: "replace", path: "/spec/template/spec/containers/0/args/2", value: `--containerd=${STATE_DIR}/containerd/containerd.sock` },
        { op: "replace", path: "/spec/template/spec/containers/0/volumeMounts/1/mountPath", value: `${STATE_DIR}/containerd` },
        { op: "replace", path: "/spec/template/spec/volumes/1/hostPath/path", value: `${STATE_DIR}/containerd` },
        { op: "remove", path: "/spec/template/spec/containers/0/volumeMounts/2" },
        { op: "remove", path: "/spec/template/spec/volumes/2" },
        // its own state dir: the bundled agent's frozen-task records are not this one's; one
        // folder per node (both nodes of the bundled cluster see the same host folders)
        { op: "replace", path: "/spec/template/spec/volumes/2/hostPath/path", value: path.join(hostDir, "agent") },
        { op: "add", path: "/spec/template/spec/containers/0/env/-", value: { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } } },
        { op: "add", path: "/spec/template/spec/containers/0/volumeMounts/2/subPathExpr", value: "$(NODE_NAME)" },
      ]) },
      ...(opts.dashboardNodeSelector
        ? [{ target: { kind: "Deployment", name: "devbox-dashboard" }, patch: jsonPatch([{ op: "add", path: "/spec/template/spec/nodeSelector", value: opts.dashboardNodeSelector }]) }]
        : []),
    ],
  };
  fs.writeFileSync(path.join(dir, "kustomization.yaml"), JSON.stringify(kustomization, null, 1));
  return {
    suffix,
    namespace,
    url: `http://${clusterIP}`,
    registry: `127.0.0.1:${registryPort}`,
    agentPort,
    teamPrefix,
    dir,
    hostDir,
    clusterObjects: [
      `namespace/${namespace}`,
      `clusterrole/${renamed.clusterRole}`,
      `clusterrole/${teamRole}`,
      `clusterrolebinding/${renamed.binding}`,
      `validatingadmissionpolicy/${renamed.policy}`,
      `validatingadmissionpolicybinding/${renamed.policy}`,
      `persistentvolume/${renamed.pvRegistry}`,
      `persistentvolume/${renamed.pvData}`,
      ...(opts.postgres ? [`persistentvolume/${renamed.pvPostgres}`] : []),
    ],
  };
}

export async function applyInstall(inst: Install): Promise<void> {
  await kubectl("apply", "-k", inst.dir);
}

/**
 * An install for a test file: its images built, the overlay written and applied, the runtime images
 * seeded. A failure after the overlay was written uninstalls what got applied before it throws:
 * the caller never got the Install to clean up with.
 */
export async function setUpInstall(opts: InstallOptions & { runtimeImages?: string[] } = {}): Promise<Install> {
  const inst = await writeInstallOverlay(await buildInstallImages({ postgres: opts.postgres }), opts);
  try {
    await applyInstall(inst);
    await seedRuntimeImages(inst, opts.runtimeImages);
    return inst;
  } catch (err) {
    await uninstall(inst).catch((e) => console.error("uninstall after a failed set-up:", e));
    throw err;
  }
}

/** The install's registry has the runtime image devboxes start from (the bundled registry's copy). */
export async function seedRuntimeImages(inst: Install, names = ["base"]): Promise<void> {
  await waitFor("the install's registry on the node", 180_000, async () => ((await fetch(`http://${inst.registry}/v2/`)).ok ? true : undefined), 500);
  for (const n of names)
    await run("skopeo", ["copy", "-q", "--src-tls-verify=false", "--dest-tls-verify=false", "--preserve-digests", `docker://${REGISTRY}/devbox/${n}:bookworm`, `docker://${inst.registry}/devbox/${n}:bookworm`], { timeout: 600_000 });
}

/** Until the dashboard behind the Service answers its health route (with the Host it serves). */
export async function waitForDashboard(inst: Install, timeoutMs = 600_000): Promise<void> {
  await waitFor("the in-cluster dashboard to answer", timeoutMs, async () => ((await fetch(`${inst.url}/api/health`, { signal: AbortSignal.timeout(3000) })).ok ? true : undefined), 200);
}

/** The dashboard Pods' logs, for a failure message. */
export async function dashboardLogs(inst: Install): Promise<string> {
  try {
    return await kubectl("-n", inst.namespace, "logs", "-l", "app.kubernetes.io/name=devbox-dashboard", "--tail", "60", "--all-containers");
  } catch (err) {
    return String(err);
  }
}

/**
 * Stops the dashboard, removes the teams' namespaces (the product's data: an uninstall does not
 * delete users' devboxes on its own), then `kubectl delete -k`, then the host folders.
 */
export async function uninstall(inst: Install, kc: KubeConfig = adminConfig()): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  // the dashboard first: its reconciler would make a deleted team namespace again for a devbox
  // that should run
  await kubectl("-n", inst.namespace, "scale", "deployment/devbox-dashboard", "--replicas=0").catch(() => undefined);
  await waitFor("the dashboard Pods to go", 120_000, async () => {
    const pods = await core.listNamespacedPod({ namespace: inst.namespace, labelSelector: "app.kubernetes.io/name=devbox-dashboard" }).catch(() => ({ items: [] }));
    return pods.items.length === 0 ? true : undefined;
  }, 500);
  const teams = (await core.listNamespace()).items.map((n) => n.metadata!.name!).filter((n) => n.startsWith(inst.teamPrefix));
  await Promise.all(teams.map((name) => core.deleteNamespace({ name }).catch(() => undefined)));
  await kubectl("delete", "-k", inst.dir, "--ignore-not-found", "--wait=true", "--timeout=300s");
  await waitFor("team namespaces to go", 300_000, async () => {
    const left = (await core.listNamespace()).items.filter((n) => n.metadata!.name!.startsWith(inst.teamPrefix));
    return left.length === 0 ? true : undefined;
  }, 1000);
  fs.rmSync(inst.hostDir, { recursive: true, force: true });
  fs.rmSync(inst.dir, { recursive: true, force: true });
}

/** What of the install is still in the cluster or on the host (empty after a clean uninstall). */
export async function leftovers(inst: Install): Promise<string[]> {
  const left: string[] = [];
  for (const obj of inst.clusterObjects) {
    const out = await kubectl("get", obj, "--ignore-not-found", "-o", "name");
    if (out.trim()) left.push(out.trim());
  }
  const pvs = await kubectl("get", "pv", "-l", `devbox.dev/install=${inst.suffix}`, "-o", "name");
  if (pvs.trim()) left.push(...pvs.trim().split("\n"));
  const teams = (await kubectl("get", "ns", "-o", "name")).split("\n").filter((n) => n.startsWith(`namespace/${inst.teamPrefix}`));
  left.push(...teams);
  if (fs.existsSync(inst.hostDir)) left.push(inst.hostDir);
  return left;
}

/** Runs the Playwright journey (test/install/journey.spec.ts) against the install; resolves with its exit code and output. */
export function runJourney(inst: Install): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules/@playwright/test/cli.js"), "test", "-c", "test/install/playwright.config.ts"], {
      cwd: ROOT,
      env: { ...process.env, DEVBOX_INSTALL_URL: inst.url, DEVBOX_INSTALL_TEAM_PREFIX: inst.teamPrefix },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (b) => (output += b));
    child.stderr.on("data", (b) => (output += b));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}
