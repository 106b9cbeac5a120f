// Pod startup latency on the bundled cluster: Pod create -> Running and ->
// first exec output, one at a time and five at a time, against `ctr run` of
// the same image on the same containerd (no scheduler, kubelet, CNI: the floor). With a second
// node (`cluster up --nodes 2`) the Kubernetes runs are repeated with the Pods on node 2 (its own
// kubelet and containerd in a network namespace; images through the registry relay), node 1's
// runs pinned to node 1 as the baseline.
//   npm run bench -- pod-startup [--json] [--pods 20] [--image ref]
import * as k8s from '@kubernetes/client-node';
import { spawn, execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { adminConfig, BASE_IMAGE, CONTAINERD_SOCKET, STATE_DIR, devboxPod, execIn } from '../test/integration/cluster-helpers';
import { NODE1, NODE2 } from '../test/support/cluster-script';
import { type Benchmark, type Stats, intOption, option, stats } from './types';

interface Run {
  running: Stats;
  firstExec: Stats;
}
interface Result {
  image: string;
  pods: number;
  kubernetes: { sequential: Run; parallel5: Run };
  ctrRun: { sequential: Run; parallel5: Run };
  ratio: { sequential: { running: number; firstExec: number }; parallel5: { running: number; firstExec: number } };
  /** present when the cluster has a second node: the same runs on node 2, and node 2 / node 1 */
  node2?: { node: string; sequential: Run; parallel5: Run; ratioToNode1: { sequential: { running: number; firstExec: number }; parallel5: { running: number; firstExec: number } } };
}

const ctrArgs = ['--address', CONTAINERD_SOCKET, '-n', 'k8s.io'];
// keep ctr's FIFOs and runc state under the cluster's state dir (not /run/containerd)
const FIFO_DIR = `${STATE_DIR}/ctr-fifo`;
const RUNC_ROOT = `${STATE_DIR}/runc`;

/** resolves with ms from start until the process first writes to stdout, rejects on failure */
function timeToOutput(cmd: string, args: string[], t0: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let at = -1;
    let err = '';
    p.stdout.on('data', () => at < 0 && (at = performance.now() - t0));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(at < 0 ? performance.now() - t0 : at) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err}`))));
  });
}

async function inBatches<T>(n: number, size: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += size) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, j) => one(i + j)))));
  }
  return out;
}

const benchmark: Benchmark<Result> = {
  description: 'Pod create -> Running / first exec output vs ctr run (median, p95)',

  async run({ args, log }) {
    const pods = intOption(args, 'pods', 20);
    const image = option(args, 'image') ?? BASE_IMAGE;
    const kc = adminConfig();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const ns = `bench-pod-startup-${Date.now().toString(36)}`;
    await core.createNamespace({ body: { metadata: { name: ns } } });

    // Pod phase changes arrive through a watch, not polling, so timings are not quantised.
    const runningAt = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    const watch = await new k8s.Watch(kc).watch(`/api/v1/namespaces/${ns}/pods`, {}, (_type, pod: k8s.V1Pod) => {
      const name = pod.metadata!.name!;
      if (pod.status?.phase === 'Running' && !runningAt.has(name)) {
        runningAt.set(name, performance.now());
        waiters.get(name)?.();
      }
    }, (err) => err && (err as Error).name !== 'AbortError' && log(`watch ended: ${err}`));

    const node2 = await core.readNode({ name: NODE2 }).then(
      (n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      () => false,
    );
    const k8sPod = async (name: string, node?: string) => {
      const running = new Promise<void>((r) => waiters.set(name, r));
      const body = devboxPod(name, image);
      if (node) body.spec!.nodeSelector = { 'kubernetes.io/hostname': node };
      const t0 = performance.now();
      await core.createNamespacedPod({ namespace: ns, body });
      await Promise.race([running, new Promise((_, rej) => setTimeout(() => rej(new Error(`${name} not Running after 120 s`)), 120_000))]);
      let first = -1;
      await execIn(kc, ns, name, 'main', ['echo', 'ready'], () => (first = performance.now()));
      const res = { running: runningAt.get(name)! - t0, firstExec: first - t0 };
      void core.deleteNamespacedPod({ namespace: ns, name, gracePeriodSeconds: 0 }).catch(() => undefined);
      return res;
    };

    const ctrContainer = async (id: string) => {
      const t0 = performance.now();
      execFileSync('ctr', [...ctrArgs, 'run', '-d', '--fifo-dir', FIFO_DIR, '--runc-root', RUNC_ROOT, image, id], { stdio: 'ignore' });
      const running = performance.now() - t0;
      const firstExec = await timeToOutput('ctr', [...ctrArgs, 'tasks', 'exec', '--fifo-dir', FIFO_DIR, '--exec-id', 'bench', id, 'echo', 'ready'], t0);
      // --force kills the task and waits for it before deleting
      execFileSync('ctr', [...ctrArgs, 'tasks', 'delete', '--force', id], { stdio: 'ignore' });
      execFileSync('ctr', [...ctrArgs, 'containers', 'delete', id], { stdio: 'ignore' });
      return { running, firstExec };
    };

    const summarize = (rs: { running: number; firstExec: number }[]): Run => ({ running: stats(rs.map((r) => r.running)), firstExec: stats(rs.map((r) => r.firstExec)) });
    const tag = Date.now().toString(36);
    try {
      // with two nodes, node 1's runs are pinned to it (the baseline); otherwise any (the one) node
      const on1 = node2 ? NODE1 : undefined;
      log(`warm-up: one pod so ${image} is pulled and unpacked before timing`);
      await k8sPod('warmup', on1);
      log(`kubernetes: ${pods} pods one at a time`);
      const kSeq = summarize(await inBatches(pods, 1, (i) => k8sPod(`seq-${i}`, on1)));
      log(`kubernetes: ${pods} pods five at a time`);
      const kPar = summarize(await inBatches(pods, 5, (i) => k8sPod(`par-${i}`, on1)));
      let n2: Result['node2'];
      if (node2) {
        log(`node ${NODE2}: warm-up, then ${pods} pods one at a time and five at a time`);
        await k8sPod('warmup-2', NODE2);
        const seq = summarize(await inBatches(pods, 1, (i) => k8sPod(`n2-seq-${i}`, NODE2)));
        const par = summarize(await inBatches(pods, 5, (i) => k8sPod(`n2-par-${i}`, NODE2)));
        const r = (a: Run, b: Run) => ({ running: +(a.running.median / b.running.median).toFixed(2), firstExec: +(a.firstExec.median / b.firstExec.median).toFixed(2) });
        n2 = { node: NODE2, sequential: seq, parallel5: par, ratioToNode1: { sequential: r(seq, kSeq), parallel5: r(par, kPar) } };
      }
      log(`ctr run (floor): ${pods} containers one at a time, then five at a time`);
      const cSeq = summarize(await inBatches(pods, 1, (i) => ctrContainer(`bench-${tag}-seq-${i}`)));
      const cPar = summarize(await inBatches(pods, 5, (i) => ctrContainer(`bench-${tag}-par-${i}`)));
      const ratio = (k: Run, c: Run) => ({ running: +(k.running.median / c.running.median).toFixed(2), firstExec: +(k.firstExec.median / c.firstExec.median).toFixed(2) });
      return {
        image,
        pods,
        kubernetes: { sequential: kSeq, parallel5: kPar },
        ctrRun: { sequential: cSeq, parallel5: cPar },
        ratio: { sequential: ratio(kSeq, cSeq), parallel5: ratio(kPar, cPar) },
        ...(n2 ? { node2: n2 } : {}),
      };
    } finally {
      watch.abort();
      await core.deleteNamespace({ name: ns }).catch(() => undefined);
    }
  },

  format(r) {
    const row = (label: string, x: Run) =>
      `${label.padEnd(28)} ${x.running.median.toFixed(0).padStart(7)} ${x.running.p95.toFixed(0).padStart(7)}   ${x.firstExec.median.toFixed(0).padStart(7)} ${x.firstExec.p95.toFixed(0).padStart(7)}`;
    return [
      `pod startup, ${r.pods} pods per run, image ${r.image} (ms)`,
      `${''.padEnd(28)} ${'Running'.padStart(15)}   ${'first exec output'.padStart(15)}`,
      `${''.padEnd(28)} ${'median'.padStart(7)} ${'p95'.padStart(7)}   ${'median'.padStart(7)} ${'p95'.padStart(7)}`,
      row('kubernetes, 1 at a time', r.kubernetes.sequential),
      row('ctr run,    1 at a time', r.ctrRun.sequential),
      row('kubernetes, 5 at a time', r.kubernetes.parallel5),
      row('ctr run,    5 at a time', r.ctrRun.parallel5),
      `ratio kubernetes/ctr (median): 1 at a time ${r.ratio.sequential.running}x to Running, ${r.ratio.sequential.firstExec}x to first exec; ` +
        `5 at a time ${r.ratio.parallel5.running}x / ${r.ratio.parallel5.firstExec}x`,
      ...(r.node2
        ? [
            row(`${r.node2.node}, 1 at a time`, r.node2.sequential),
            row(`${r.node2.node}, 5 at a time`, r.node2.parallel5),
            `ratio node 2 / node 1 (median): 1 at a time ${r.node2.ratioToNode1.sequential.running}x to Running, ${r.node2.ratioToNode1.sequential.firstExec}x to first exec; ` +
              `5 at a time ${r.node2.ratioToNode1.parallel5.running}x / ${r.node2.ratioToNode1.parallel5.firstExec}x`,
          ]
        : ['(one node: `cluster up --nodes 2` adds the node-2 rows)']),
    ].join('\n');
  },
};

export default benchmark;
