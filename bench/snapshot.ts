// Snapshot cost on the bundled cluster, through the node agent the dashboard uses:
//  (a) commit of a 1 KB change on a devbox holding 1 GB of files (in its image's lower layers),
//  (b) commit of a 500 MB change (incompressible),
//  each against the floor `ctr snapshots diff` (containerd's walking differ) + push of the same
//  container's layer to the same registry; and Pod start from an image after 1 vs 40 commits.
//    npm run bench -- snapshot [--json] [--gb 1] [--big-mb 500] [--samples 5] [--chain 40]
// Targets (issue 6): (a) ≤ 1 s; (b) ≤ 1.2× the floor; start after 40 ≤ 1.2× start after 1.
import * as k8s from '@kubernetes/client-node';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { adminConfig, BASE_IMAGE, CONTAINERD_SOCKET, devboxPod, execIn, exitCodeOf, REGISTRY, STATE_DIR, waitRunning } from '../test/integration/cluster-helpers';
import { agentCommit, type AgentResult } from '../lib/snapshots/agent-client';
import { type Benchmark, type Stats, intOption, option, stats } from './types';

const run = promisify(execFile);
const ctr = (...args: string[]) => run('ctr', ['--address', CONTAINERD_SOCKET, '-n', 'k8s.io', ...args], { maxBuffer: 1 << 26 });

interface Result {
  dataGB: number;
  bigMB: number;
  samples: number;
  chain: number;
  fill: { commitMs: number; layerBytes: number };
  smallChange: { agent: Stats; floor: Stats; ratio: number; targetMs: 1000; ok: boolean };
  bigChange: { agent: Stats; floor: Stats; ratio: number; agentLayerBytes: number; floorLayerBytes: number; ok: boolean };
  start: { after1: Stats; afterN: Stats; layers1: number; layersN: number; ratio: number; ok: boolean };
}

const benchmark: Benchmark<Result> = {
  description: 'Snapshot commit: 1 KB change on a 1 GB devbox, 500 MB change, vs ctr snapshots diff + push; start after 1 vs 40 commits',

  async run({ args, log }) {
    const gb = Number(option(args, 'gb') ?? 1);
    const bigMB = intOption(args, 'big-mb', 500);
    const samples = intOption(args, 'samples', 5);
    const chain = intOption(args, 'chain', 40);
    process.env.DEVBOX_AGENT_TOKEN_FILE ??= `${STATE_DIR}/agent/token`;
    const kc = adminConfig();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const ns = `bench-snapshot-${Date.now().toString(36)}`;
    const repo = `${ns}/box`;
    await core.createNamespace({ body: { metadata: { name: ns } } });
    let podSeq = 0;
    let tagSeq = 0;

    const startPod = async (image: string) => {
      const name = `p${podSeq++}`;
      const t0 = performance.now();
      await core.createNamespacedPod({ namespace: ns, body: devboxPod(name, image) });
      const pod = await waitRunning(core, ns, name, 600_000);
      return { name, pod, ms: performance.now() - t0, containerId: pod.status!.containerStatuses![0].containerID!.replace('containerd://', ''), nodeIP: pod.status!.hostIP! };
    };
    const sh = async (pod: string, script: string) => {
      const r = await execIn(kc, ns, pod, 'main', ['bash', '-c', script]);
      if (exitCodeOf(r.status) !== 0) throw new Error(`exec failed: ${r.stderr}`);
      return r.stdout;
    };
    const commit = async (p: { containerId: string; nodeIP: string }, parentImage: string): Promise<AgentResult & { ms: number }> => {
      const t0 = performance.now();
      const tag = `b${tagSeq++}`;
      const r = await agentCommit(p.nodeIP, { containerId: p.containerId, parentImage, targetRepository: repo, targetTag: tag, trigger: 'commit', requestId: `${ns}-${tag}` });
      return { ...r, ms: performance.now() - t0 };
    };
    /**
     * The floor: containerd's walking differ over the container's snapshot (`ctr snapshots diff`
     * writes the gzipped layer to stdout), streamed into a registry upload as it comes, like the agent.
     */
    const floor = async (containerId: string): Promise<{ ms: number; bytes: number }> => {
      const info = JSON.parse((await ctr('containers', 'info', containerId)).stdout) as { SnapshotKey: string };
      const t0 = performance.now();
      const proc = spawn('ctr', ['--address', CONTAINERD_SOCKET, '-n', 'k8s.io', 'snapshots', 'diff', info.SnapshotKey], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      proc.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number>((resolve) => proc.on('close', (code) => resolve(code ?? 1)));
      const hash = createHash('sha256');
      let bytes = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          bytes += chunk.length;
          cb(null, chunk);
        },
      });
      proc.stdout.pipe(tap);
      const start = await fetch(`http://${REGISTRY}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
      const patch = await fetch(new URL(start.headers.get('location')!, `http://${REGISTRY}`), {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: Readable.toWeb(tap) as unknown as BodyInit,
        duplex: 'half',
      } as RequestInit);
      if (patch.status !== 202) throw new Error(`floor upload: HTTP ${patch.status}`);
      if ((await exited) !== 0) throw new Error(`ctr snapshots diff: ${stderr}`);
      const done = new URL(patch.headers.get('location')!, `http://${REGISTRY}`);
      done.searchParams.set('digest', `sha256:${hash.digest('hex')}`);
      const put = await fetch(done, { method: 'PUT' });
      if (put.status !== 201) throw new Error(`floor push: HTTP ${put.status}`);
      return { ms: performance.now() - t0, bytes };
    };

    try {
      // A devbox holding `gb` GB: 1 MB files, committed into its image's layers.
      log(`writing ${gb} GB of files and committing them (the devbox's history)`);
      const filler = await startPod(BASE_IMAGE);
      await sh(filler.name, `mkdir -p ~/data && for i in $(seq ${Math.round(gb * 1024)}); do head -c 1048576 /dev/urandom > ~/data/f$i; done`);
      const fill = await commit(filler, BASE_IMAGE);
      log(`  ${(fill.layerSize! / 1e9).toFixed(2)} GB layer in ${(fill.ms / 1000).toFixed(1)} s`);

      log(`(a) 1 KB change on it: ${samples} commits, then the floor ${samples} times`);
      const box = await startPod(fill.image);
      const small: number[] = [];
      const smallFloor: number[] = [];
      for (let i = 0; i < samples; i++) {
        await sh(box.name, `head -c 1024 /dev/urandom > ~/change-${i}`);
        small.push((await commit(box, fill.image)).ms);
      }
      for (let i = 0; i < samples; i++) smallFloor.push((await floor(box.containerId)).ms);

      log(`(b) ${bigMB} MB change: agent vs floor, ${Math.min(samples, 3)} each`);
      const big = await startPod(BASE_IMAGE);
      await sh(big.name, `head -c ${bigMB * 1048576} /dev/urandom > ~/big`);
      const bigAgent: number[] = [];
      const bigFloor: number[] = [];
      let agentLayerBytes = 0;
      let floorLayerBytes = 0;
      for (let i = 0; i < Math.min(samples, 3); i++) {
        const f = await floor(big.containerId);
        bigFloor.push(f.ms);
        floorLayerBytes = f.bytes;
        const c = await commit(big, BASE_IMAGE);
        bigAgent.push(c.ms);
        agentLayerBytes = c.layerSize ?? 0;
      }

      log(`start after 1 vs ${chain} commits: building the chain (a Pod per commit)`);
      let image = BASE_IMAGE;
      let one = '';
      for (let i = 0; i < chain; i++) {
        const p = await startPod(image);
        await sh(p.name, `echo ${i} > ~/commit-${i}`);
        image = (await commit(p, image)).image;
        if (i === 0) one = image;
        await core.deleteNamespacedPod({ namespace: ns, name: p.name, gracePeriodSeconds: 0 });
        if ((i + 1) % 10 === 0) log(`  ${i + 1}/${chain}`);
      }
      const after1: number[] = [];
      const afterN: number[] = [];
      // Warm (layers already on the node), alternating so both see the same load.
      for (let i = 0; i < samples; i++) {
        for (const [img, out] of [[one, after1], [image, afterN]] as const) {
          const p = await startPod(img);
          out.push(p.ms);
          await core.deleteNamespacedPod({ namespace: ns, name: p.name, gracePeriodSeconds: 0 });
        }
      }
      const layersOf = async (img: string) => {
        const [, rest] = img.split(`${REGISTRY}/`);
        const [r, t] = rest.split(':');
        const m = await fetch(`http://${REGISTRY}/v2/${r}/manifests/${t}`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
        return ((await m.json()) as { layers: unknown[] }).layers.length;
      };

      const s = { agent: stats(small), floor: stats(smallFloor) };
      const b = { agent: stats(bigAgent), floor: stats(bigFloor) };
      const st = { after1: stats(after1), afterN: stats(afterN) };
      const r2 = (x: number) => Math.round(x * 100) / 100;
      return {
        dataGB: gb,
        bigMB,
        samples,
        chain,
        fill: { commitMs: Math.round(fill.ms), layerBytes: fill.layerSize ?? 0 },
        smallChange: { ...s, ratio: r2(s.agent.median / s.floor.median), targetMs: 1000, ok: s.agent.median <= 1000 },
        bigChange: { ...b, ratio: r2(b.agent.median / b.floor.median), agentLayerBytes, floorLayerBytes, ok: b.agent.median <= 1.2 * b.floor.median },
        start: { ...st, layers1: await layersOf(one), layersN: await layersOf(image), ratio: r2(st.afterN.median / st.after1.median), ok: st.afterN.median <= 1.2 * st.after1.median },
      };
    } finally {
      await core.deleteNamespace({ name: ns }).catch(() => {});
    }
  },

  format(r) {
    const ms = (x: Stats) => `median ${x.median} ms (min ${x.min}, max ${x.max}, n=${x.n})`;
    const ok = (b: boolean) => (b ? 'OK' : 'MISSED');
    return [
      `devbox holding ${r.dataGB} GB (committed in ${(r.fill.commitMs / 1000).toFixed(1)} s, ${(r.fill.layerBytes / 1e9).toFixed(2)} GB layer)`,
      `(a) 1 KB change    agent ${ms(r.smallChange.agent)}`,
      `                   floor ${ms(r.smallChange.floor)}   (ctr snapshots diff + push)`,
      `                   ${r.smallChange.ratio}x floor; target ≤ 1000 ms: ${ok(r.smallChange.ok)}`,
      `(b) ${r.bigMB} MB change  agent ${ms(r.bigChange.agent)}  layer ${(r.bigChange.agentLayerBytes / 1e6).toFixed(0)} MB`,
      `                   floor ${ms(r.bigChange.floor)}  layer ${(r.bigChange.floorLayerBytes / 1e6).toFixed(0)} MB`,
      `                   ${r.bigChange.ratio}x floor; target ≤ 1.2x: ${ok(r.bigChange.ok)}`,
      `start (warm)       after 1 commit (${r.start.layers1} layers)  ${ms(r.start.after1)}`,
      `                   after ${r.chain} commits (${r.start.layersN} layers) ${ms(r.start.afterN)}`,
      `                   ${r.start.ratio}x; target ≤ 1.2x: ${ok(r.start.ok)}`,
    ].join('\n');
  },
};

export default benchmark;
