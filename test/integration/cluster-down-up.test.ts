// `down` leaves no process, mount, netns, interface, iptables rule or cgroup of
// the cluster behind, `up` copes with the leftovers of a killed run, and `up`
// after `down` works again. Runs on a second, isolated cluster instance (own
// state dir, ports, bridge, pod CIDR, cgroup root, registry) so the main
// cluster other integration tests use is never disturbed. Needs root and the
// Kubernetes binaries in the cache (the main cluster's `up` builds them).
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devboxPod, waitFor, waitRunning } from './cluster-helpers';

const run = promisify(execFile);
const SCRIPT = path.resolve(__dirname, '../../cluster/devbox-cluster');
const STATE = '/var/lib/devbox-cluster-downup-test';
const BRIDGE = 'devboxt0';
const CNI_NETWORK = 'devbox-downup';
const CGROUP_ROOT = '/devbox-downup-test';
const REGISTRY = '127.0.0.1:15000';
const env = {
  ...process.env,
  DEVBOX_CLUSTER_DIR: STATE,
  DEVBOX_APISERVER_PORT: '16443',
  DEVBOX_ETCD_PORT: '12379',
  DEVBOX_ETCD_PEER_PORT: '12380',
  DEVBOX_ETCD_METRICS_PORT: '12381',
  DEVBOX_KUBELET_PORT: '11250',
  DEVBOX_KUBELET_HEALTHZ_PORT: '11248',
  DEVBOX_KCM_PORT: '11257',
  DEVBOX_SCHEDULER_PORT: '11259',
  DEVBOX_REGISTRY: REGISTRY,
  DEVBOX_POD_CIDR: '10.89.0.0/16',
  DEVBOX_BRIDGE: BRIDGE,
  DEVBOX_CNI_NETWORK: CNI_NETWORK,
  DEVBOX_NODE_NAME: 'devbox-downup-test',
  DEVBOX_CGROUP_ROOT: CGROUP_ROOT,
  // only the pause image: the runtime images are the main cluster's business
  DEVBOX_SKIP_RUNTIME_IMAGES: '1',
  // the node agent is packaged on devbox/base (not in this instance's registry)
  // and listens on a fixed host port the main cluster's agent already holds
  DEVBOX_SKIP_AGENT: '1',
  // kube-proxy's tables are global (the main cluster's already runs); without it no ClusterIP (the
  // kubernetes Service, kube-dns) is routed, so no CoreDNS or metrics-server either
  DEVBOX_SKIP_KUBE_PROXY: '1',
  DEVBOX_SKIP_COREDNS: '1',
  DEVBOX_SKIP_METRICS_SERVER: '1',
};
const PAUSE = `${REGISTRY}/devbox/pause:3.10`;
const isRoot = process.getuid?.() === 0;

// Warm `up` (binaries cached) takes ~30-60 s on 2 cores: apiserver start,
// node registration and the default ServiceAccount. 5 minutes covers a slow CI box.
const UP_TIMEOUT = 300_000;

/** Runs the script; resolves with the exit code and output, whatever the code. */
async function clusterCode(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('bash', [SCRIPT, ...args], { env: { ...env, ...extraEnv }, timeout: UP_TIMEOUT, maxBuffer: 32 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}
let extraEnv: Record<string, string> = {};

async function cluster(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run('bash', [SCRIPT, ...args], { env, timeout: UP_TIMEOUT, maxBuffer: 32 << 20 });
    return stdout + stderr;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`devbox-cluster ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

function client() {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(`${STATE}/kubeconfig/admin.kubeconfig`);
  return kc.makeApiClient(k8s.CoreV1Api);
}

/** Processes whose command line names the state dir (components, shims). */
function ourProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(STATE) && !cmd.includes('vitest')) found.push(`${pid}: ${cmd.slice(0, 120)}`);
    } catch {
      /* exited meanwhile */
    }
  }
  return found;
}

const ourMounts = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4]?.startsWith(STATE));
const sh = async (cmd: string) => (await run('bash', ['-c', cmd])).stdout;
const links = async () => (await sh('ip -o link show')).split('\n').filter(Boolean).map((l) => l.split(': ')[1].split('@')[0]);
const taggedIptablesRules = async () => (await sh(`(iptables-save; ip6tables-save) 2>/dev/null | grep -F '${CNI_NETWORK}' || true`)).trim();
// The service-range guard's own nftables table (cluster/lib/network.sh).
const guardTable = async () => (await sh(`nft list tables | grep -F 'devbox_service_guard_${CNI_NETWORK.replace(/[^A-Za-z0-9_]/g, '_')}' || true`)).trim();
// The apiserver guard's table (cluster/lib/network.sh).
const apiserverGuardTable = async () => (await sh(`nft list tables | grep -F 'devbox_apiserver_guard_${CNI_NETWORK.replace(/[^A-Za-z0-9_]/g, '_')}' || true`)).trim();
const listeners = async (port: string) => (await sh(`ss -Hltn 'sport = :${port}' | awk '{print $4}'`)).split('\n').filter(Boolean).sort();
const apiserverSans = async () => (await sh(`openssl x509 -in ${STATE}/pki/kube-apiserver.crt -noout -ext subjectAltName`)).trim();
const podCgroups = () => existsSync(`/sys/fs/cgroup/memory${CGROUP_ROOT}/kubepods`);

async function podVeths(): Promise<string[]> {
  return (await sh(`ip -o link show master ${BRIDGE} 2>/dev/null || true`)).split('\n').filter(Boolean).map((l) => l.split(': ')[1].split('@')[0]);
}

async function expectNothingLeft(veths: string[]) {
  expect(ourProcesses()).toEqual([]);
  expect(ourMounts()).toEqual([]);
  const now = await links();
  expect(now).not.toContain(BRIDGE);
  for (const v of veths) expect(now).not.toContain(v);
  expect(await taggedIptablesRules()).toBe('');
  expect(await guardTable()).toBe('');
  expect(await apiserverGuardTable()).toBe('');
  expect(podCgroups()).toBe(false);
  // kubelet's /var/log/containers symlinks into our pod logs
  const logLinks = existsSync('/var/log/containers')
    ? readdirSync('/var/log/containers').filter((f) => {
        try {
          return readlinkSync(`/var/log/containers/${f}`).startsWith(`${STATE}/`);
        } catch {
          return false;
        }
      })
    : [];
  expect(logLinks).toEqual([]);
}

async function startPausePod(name: string) {
  const core = client();
  await waitFor('default ServiceAccount', 60_000, async () => core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }));
  await core.createNamespacedPod({ namespace: 'default', body: devboxPod(name, PAUSE) });
  return waitRunning(core, 'default', name, 120_000);
}

describe.runIf(isRoot)('devbox-cluster down/up (isolated instance)', () => {
  let veths: string[] = [];

  // start from nothing, even if an earlier run died before its afterAll
  beforeAll(async () => {
    if (existsSync(STATE)) await cluster('down', '--purge', '--yes');
  }, UP_TIMEOUT);

  afterAll(async () => {
    // without a terminal to ask on, a purge needs --yes: refused, nothing stopped or deleted
    const refused = await clusterCode('down', '--purge');
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('down --purge --yes');
    expect(existsSync(`${STATE}/etcd/member`)).toBe(true);
    expect((await clusterCode('status')).code).toBe(0);
    await cluster('down', '--purge', '--yes');
    expect(existsSync(STATE)).toBe(false);
    expect(ourProcesses()).toEqual([]);
  }, UP_TIMEOUT);

  it('comes up and runs a pod', { timeout: UP_TIMEOUT }, async () => {
    const out = await cluster('up');
    expect(out).toContain(`${STATE}/kubeconfig/admin.kubeconfig`);
    expect(out).toContain(`${STATE}/kubeconfig/dashboard.kubeconfig`);
    const pod = await startPausePod('first');
    expect(pod.status?.podIP).toMatch(/^10\.89\./);
    veths = await podVeths();
    expect(veths.length).toBe(1);
    expect(await taggedIptablesRules()).not.toBe('');
    expect(await guardTable()).not.toBe('');
    expect(await apiserverGuardTable()).not.toBe('');
    // loopback for the host's clients, the node address for Pods (the kubernetes Service's endpoint)
    expect(await listeners(env.DEVBOX_APISERVER_PORT)).toEqual(['*:16443']);
    expect(ourMounts().length).toBeGreaterThan(0);
  });

  it('up recovers after its processes were SIGKILLed (stale pid files)', { timeout: UP_TIMEOUT }, async () => {
    const pids = readdirSync(`${STATE}/run`).filter((f) => f.endsWith('.pid')).map((f) => readFileSync(`${STATE}/run/${f}`, 'utf8').trim());
    expect(pids.length).toBe(7);
    for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
    await waitFor('killed components to exit', 10_000, async () => (pids.every((p) => !existsSync(`/proc/${p}`)) ? true : undefined));
    await cluster('up');
    const core = client();
    const pod = await core.readNamespacedPod({ name: 'first', namespace: 'default' });
    expect(pod.status?.phase).toBe('Running');
  });

  it('up with a running but unhealthy component: waits, reports it (exit 3) and stops nothing', { timeout: UP_TIMEOUT }, async () => {
    const pidOf = (c: string) => Number(readFileSync(`${STATE}/run/${c}.pid`, 'utf8').trim());
    const components = ['registry', 'containerd', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet'];
    const before = Object.fromEntries(components.map((c) => [c, pidOf(c)]));
    const pod = await client().readNamespacedPod({ name: 'first', namespace: 'default' });
    // a hung scheduler: it runs, its health check times out
    process.kill(before['kube-scheduler'], 'SIGSTOP');
    try {
      extraEnv = { DEVBOX_UP_TIMEOUT: '8' };
      const up = await clusterCode('up');
      expect(up.code, up.out).toBe(3);
      expect(up.out).toContain(`kube-scheduler is running (pid ${before['kube-scheduler']}) but not healthy after 8s.`);
      expect(up.out).toContain(`kill ${before['kube-scheduler']}`);
      expect(up.out).toContain('Nothing was stopped');
    } finally {
      extraEnv = {};
      process.kill(before['kube-scheduler'], 'SIGCONT');
    }
    for (const c of components) expect(pidOf(c)).toBe(before[c]);
    const still = await client().readNamespacedPod({ name: 'first', namespace: 'default' });
    expect(still.metadata?.uid).toBe(pod.metadata?.uid);
    expect(still.status?.phase).toBe('Running');
    await cluster('up');
    for (const c of components) expect(pidOf(c)).toBe(before[c]);
  });

  it('a failed up stops only what it started itself', { timeout: UP_TIMEOUT }, async () => {
    const pidOf = (c: string) => Number(readFileSync(`${STATE}/run/${c}.pid`, 'utf8').trim());
    const keep = ['registry', 'containerd', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kubelet'];
    const before = Object.fromEntries(keep.map((c) => [c, pidOf(c)]));
    // the scheduler is gone; this up starts it, and it cannot come up (its cert dir is a file)
    process.kill(pidOf('kube-scheduler'), 'SIGKILL');
    await sh(`mv ${STATE}/scheduler-certs ${STATE}/scheduler-certs.keep && touch ${STATE}/scheduler-certs`);
    try {
      const up = await clusterCode('up');
      expect(up.code, up.out).toBe(1);
      expect(up.out).toContain('stopping what this up started: kube-scheduler (');
      expect(up.out).not.toMatch(/removing pod|unmounted|removed bridge/);
    } finally {
      await sh(`rm -f ${STATE}/scheduler-certs && mv ${STATE}/scheduler-certs.keep ${STATE}/scheduler-certs`);
    }
    expect(existsSync(`${STATE}/run/kube-scheduler.pid`)).toBe(false);
    for (const c of keep) expect(pidOf(c)).toBe(before[c]);
    const pod = await client().readNamespacedPod({ name: 'first', namespace: 'default' });
    expect(pod.status?.phase).toBe('Running');
    await cluster('up');
    for (const c of keep) expect(pidOf(c)).toBe(before[c]);
  });

  it('up restarts the apiserver of an older cluster (loopback only, a certificate without the Service names), and nothing else', { timeout: UP_TIMEOUT }, async () => {
    const pidOf = (c: string) => Number(readFileSync(`${STATE}/run/${c}.pid`, 'utf8').trim());
    const keep = ['registry', 'containerd', 'etcd', 'kube-controller-manager', 'kube-scheduler', 'kubelet'];
    const before = Object.fromEntries(keep.map((c) => [c, pidOf(c)]));
    const pod = await client().readNamespacedPod({ name: 'first', namespace: 'default' });
    // the previous version's apiserver: the same binary and flags, bound to loopback
    const api = pidOf('kube-apiserver');
    const args = readFileSync(`/proc/${api}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const old = args.map((a) => (a.startsWith('--bind-address=') ? '--bind-address=127.0.0.1' : a));
    process.kill(api, 'SIGKILL'); // (its graceful shutdown can take a minute; the state is in etcd)
    // gone, or a zombie its (re)parent has not reaped yet
    const exited = () => !existsSync(`/proc/${api}`) || /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${api}/stat`, 'utf8'));
    await waitFor('the apiserver to exit', 60_000, async () => (exited() ? true : undefined));
    // and its serving certificate without the names Pods use (the .sans note beside it is the new one's)
    await sh(`cd ${STATE}/pki && openssl req -new -key kube-apiserver.key -subj /CN=kube-apiserver -out old.csr 2>/dev/null &&
      echo subjectAltName=IP:127.0.0.1,DNS:localhost >old.ext &&
      openssl x509 -req -in old.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -extfile old.ext -out kube-apiserver.crt 2>/dev/null && rm old.csr old.ext`);
    await sh(`setsid bash -c 'echo $$ >${STATE}/run/kube-apiserver.pid; exec "$@"' _ ${old.map((a) => `'${a}'`).join(' ')} </dev/null >>${STATE}/logs/kube-apiserver.log 2>&1 &`);
    await waitFor('the old apiserver to answer', 60_000, async () => (await client().listNamespace()).items.length > 0 || undefined, 500);
    const oldPid = pidOf('kube-apiserver');
    expect(await listeners(env.DEVBOX_APISERVER_PORT)).toEqual(['127.0.0.1:16443']);
    expect(await apiserverSans()).not.toContain('10.96.0.1');

    const up = await clusterCode('up');
    expect(up.code, up.out).toBe(0);
    expect(up.out).toContain('renewing certificate kube-apiserver');
    expect(up.out).toContain(`restarting kube-apiserver (pid ${oldPid})`);
    expect(pidOf('kube-apiserver')).not.toBe(oldPid);
    expect(await listeners(env.DEVBOX_APISERVER_PORT)).toEqual(['*:16443']);
    const sans = await apiserverSans();
    for (const name of ['IP Address:10.96.0.1', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local']) expect(sans).toContain(name);
    for (const c of keep) expect(pidOf(c), c).toBe(before[c]);
    const still = await client().readNamespacedPod({ name: 'first', namespace: 'default' });
    expect(still.metadata?.uid).toBe(pod.metadata?.uid);
    expect(still.status?.phase).toBe('Running');
    // converged: the next up keeps it
    const current = pidOf('kube-apiserver');
    const again = await cluster('up');
    expect(again).not.toContain('restarting kube-apiserver');
    expect(pidOf('kube-apiserver')).toBe(current);
  });

  it('down leaves no process, mount, interface, iptables rule or pod cgroup behind', { timeout: UP_TIMEOUT }, async () => {
    await cluster('down');
    await expectNothingLeft(veths);
    // data is kept
    expect(existsSync(`${STATE}/etcd/member`)).toBe(true);
    expect(existsSync(`${STATE}/kubeconfig/admin.kubeconfig`)).toBe(true);
  });

  it('up after down works again', { timeout: UP_TIMEOUT }, async () => {
    await cluster('up');
    const pod = await startPausePod('second');
    expect(pod.status?.phase).toBe('Running');
    const status = await cluster('status');
    expect(status).toMatch(/kubelet\s+\d+\s+ok/);
  });
});
