// Release cost on the bundled cluster, through the same code the dashboard runs (flattenImage:
// the node agent's merge, or a blob-mounting copy when there is one own layer, then the config
// rewrite), each against a floor measured in the same run on the same layers:
//  (a) release of an unchanged, stopped devbox holding --gb GB (1 own layer)   vs  agent merge + push of those layers
//  (b) the same devbox with 10 own layers                                       vs  agent merge + push of those layers
//  (c) release of a running devbox with a --change-mb MB change: commit + release  vs  commit + agent merge
//  (d) deploy (Deployment) → first replica Ready                                vs  a bare Pod of the same image and probe
//    npm run bench -- release [--json] [--gb 1] [--change-mb 100] [--samples 2] [--own-layers 10]
// Targets: (a)–(c) ≤ 1.2× the floor; (d) ≤ 1.3×.
import * as k8s from '@kubernetes/client-node';
import { performance } from 'node:perf_hooks';
import { adminConfig, BASE_IMAGE, devboxPod, execIn, exitCodeOf, REGISTRY, STATE_DIR, waitFor, waitRunning } from '../test/integration/cluster-helpers';
import { agentCommit, agentMerge } from '../lib/snapshots/agent-client';
import { deleteManifest, getManifest } from '../lib/snapshots/registry';
import { flattenImage } from '../lib/releases/build';
import { buildDeployment } from '../lib/apps/k8s-objects';
import type { App } from '../db/schema/apps';
import type { Release } from '../db/schema/releases';
import { type Benchmark, type Stats, intOption, option, stats } from './types';

interface Pair {
  release: Stats;
  floor: Stats;
  ratio: number;
  target: number;
  ok: boolean;
  note?: string;
}

interface Result {
  dataGB: number;
  changeMB: number;
  samples: number;
  ownLayers: number;
  fill: { commitMs: number; layerBytes: number };
  unchanged1GB: Pair;
  ownLayers10: Pair;
  runningChange: Pair;
  deploy: Pair;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const pair = (release: number[], floor: number[], target: number, note?: string): Pair => {
  const a = stats(release);
  const b = stats(floor);
  const ratio = r2(a.median / b.median);
  return { release: a, floor: b, ratio, target, ok: ratio <= target, ...(note ? { note } : {}) };
};

const benchmark: Benchmark<Result> = {
  description: 'Release: unchanged 1 GB devbox and 10 own layers vs agent merge + push; running devbox with a 100 MB change vs commit + merge; deploy → Ready vs a bare Pod',

  async run({ args, log }) {
    const gb = Number(option(args, 'gb') ?? 1);
    const changeMB = intOption(args, 'change-mb', 100);
    const samples = intOption(args, 'samples', 2);
    const ownLayers = intOption(args, 'own-layers', 10, 2);
    process.env.DEVBOX_AGENT_TOKEN_FILE ??= `${STATE_DIR}/agent/token`;
    const kc = adminConfig();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const ns = `bench-release-${Date.now().toString(36)}`;
    const repo = `${ns}/box`;
    const relRepo = `${ns}/box/releases`;
    await core.createNamespace({ body: { metadata: { name: ns } } });
    let seq = 0;
    const pushed: [string, string][] = [];

    const startPod = async (image: string) => {
      const name = `p${seq++}`;
      await core.createNamespacedPod({ namespace: ns, body: devboxPod(name, image) });
      const pod = await waitRunning(core, ns, name, 600_000);
      return { name, containerId: pod.status!.containerStatuses![0].containerID!.replace('containerd://', ''), nodeIP: pod.status!.hostIP! };
    };
    const sh = async (pod: string, script: string) => {
      const r = await execIn(kc, ns, pod, 'main', ['bash', '-c', script]);
      if (exitCodeOf(r.status) !== 0) throw new Error(`exec failed: ${r.stderr}`);
    };
    const commit = async (p: { containerId: string; nodeIP: string }, parentImage: string) => {
      const tag = `c${seq++}`;
      const r = await agentCommit(p.nodeIP, { containerId: p.containerId, parentImage, targetRepository: repo, targetTag: tag, trigger: 'commit', requestId: `${ns}-${tag}` });
      pushed.push([repo, r.digest]);
      return r;
    };
    const config = { releaseId: 'bench', tag: 'x', devbox: 'box', entrypoint: ['/home/devbox/project/entrypoint.sh'], cmd: [], workingDir: '/home/devbox/project', env: [], ports: [{ port: 8000 }] };
    /** What the dashboard does for a release, from a snapshot image. */
    const release = async (image: string, own: number, nodeIP: string) => {
      const tag = `r${seq++}`;
      const t0 = performance.now();
      const made = await flattenImage({ source: image, ownLayers: own, repository: relRepo, tag, buildTag: `build-${tag}`, requestId: `${ns}-${tag}`, nodeIP: () => nodeIP, config: { ...config, tag } });
      pushed.push([relRepo, made.digest]);
      return { ms: performance.now() - t0, layers: made.layerCount };
    };
    /** The floor: the agent's merge of the same own layers, pushed to the same release repository. */
    const merge = async (image: string, own: number, nodeIP: string) => {
      const tag = `m${seq++}`;
      const t0 = performance.now();
      const r = await agentMerge(nodeIP, { image, ownLayers: own, targetRepository: relRepo, targetTag: tag, requestId: `${ns}-${tag}` });
      pushed.push([relRepo, r.digest]);
      return performance.now() - t0;
    };

    try {
      log(`writing ${gb} GB of files into a devbox and committing them (its first own layer)`);
      const filler = await startPod(BASE_IMAGE);
      await sh(filler.name, `mkdir -p ~/data && for i in $(seq ${Math.round(gb * 1024)}); do head -c 1048576 /dev/urandom > ~/data/f$i; done; mkdir -p ~/project`);
      const t0 = performance.now();
      const fill = await commit(filler, BASE_IMAGE);
      const fillMs = performance.now() - t0;
      await core.deleteNamespacedPod({ namespace: ns, name: filler.name, gracePeriodSeconds: 0 });
      const baseLayers = fill.layerCount - 1;
      const nodeIP = filler.nodeIP;

      log(`(a) release of the stopped, unchanged devbox (1 own layer) vs agent merge + push, ${samples}× each`);
      const a = { release: [] as number[], floor: [] as number[] };
      for (let i = 0; i < samples; i++) {
        a.release.push((await release(fill.image, 1, nodeIP)).ms);
        a.floor.push(await merge(fill.image, 1, nodeIP));
      }

      log(`(b) building ${ownLayers} own layers (a stop/start cycle each), then release vs agent merge + push, ${samples}× each`);
      let image = fill.image;
      for (let i = 1; i < ownLayers; i++) {
        const p = await startPod(image);
        await sh(p.name, `head -c 1048576 /dev/urandom > ~/data/more-${i}; rm -f ~/data/f${i}`);
        image = (await commit(p, image)).image;
        await core.deleteNamespacedPod({ namespace: ns, name: p.name, gracePeriodSeconds: 0 });
      }
      const layered = (await getManifest(repo, image.slice(image.lastIndexOf(':') + 1)))!.manifest.layers.length;
      if (layered !== baseLayers + ownLayers) throw new Error(`expected ${baseLayers + ownLayers} layers, got ${layered}`);
      const b = { release: [] as number[], floor: [] as number[] };
      for (let i = 0; i < samples; i++) {
        const rel = await release(image, ownLayers, nodeIP);
        if (rel.layers !== baseLayers + 1) throw new Error(`release has ${rel.layers} layers, want ${baseLayers + 1}`);
        b.release.push(rel.ms);
        b.floor.push(await merge(image, ownLayers, nodeIP));
      }

      log(`(c) running devbox with a ${changeMB} MB change: commit + release vs commit + agent merge, ${samples}× each`);
      const running = await startPod(fill.image);
      await sh(running.name, `head -c ${changeMB * 1048576} /dev/urandom > ~/change.bin && sync`);
      const c = { release: [] as number[], floor: [] as number[] };
      for (let i = 0; i < samples; i++) {
        let t = performance.now();
        const snap = await commit(running, fill.image);
        await release(snap.image, 2, running.nodeIP);
        c.release.push(performance.now() - t);
        t = performance.now();
        const snap2 = await commit(running, fill.image);
        await merge(snap2.image, 2, running.nodeIP);
        c.floor.push(performance.now() - t);
      }
      await core.deleteNamespacedPod({ namespace: ns, name: running.name, gracePeriodSeconds: 0 });

      log(`(d) deploy → first replica Ready vs a bare Pod of the same image and probe, ${samples + 1}× each (first pair warms the image)`);
      const pyImage = `${REGISTRY}/devbox/python:bookworm`;
      const web = await flattenImage({ source: pyImage, ownLayers: 0, repository: relRepo, tag: 'web', buildTag: 'build-web', requestId: `${ns}-web`, nodeIP: () => nodeIP, config: { ...config, tag: 'web', entrypoint: ['python3', '-m', 'http.server', '8000'] } });
      pushed.push([relRepo, web.digest]);
      const rel = { id: 'bench', devboxId: 'bench', tag: 'web', image: `${REGISTRY}/${relRepo}:web`, digest: web.digest, ports: [{ port: 8000, name: 'http' }] } as unknown as Release;
      const d = { release: [] as number[], floor: [] as number[] };
      const ready = (p: k8s.V1Pod) => !!p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
      for (let i = 0; i <= samples; i++) {
        const app = { id: `a${i}`, teamId: 'bench', name: `app${i}`, replicas: 1, cpuMillis: 250, memoryMiB: 128, env: [], command: null, probePath: null } as unknown as App;
        const dep = buildDeployment(app, rel);
        let t = performance.now();
        await apps.createNamespacedDeployment({ namespace: ns, body: dep });
        await waitFor('app replica Ready', 300_000, async () => {
          const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: `devbox.dev/app-id=${app.id}` });
          return pods.items.some(ready) || undefined;
        }, 100);
        const depMs = performance.now() - t;
        const pod: k8s.V1Pod = { metadata: { name: `bare${i}` }, spec: { ...dep.spec!.template.spec!, restartPolicy: 'Always' } };
        t = performance.now();
        await core.createNamespacedPod({ namespace: ns, body: pod });
        await waitFor('bare Pod Ready', 300_000, async () => ready(await core.readNamespacedPod({ namespace: ns, name: `bare${i}` })) || undefined, 100);
        const podMs = performance.now() - t;
        if (i > 0) {
          d.release.push(depMs);
          d.floor.push(podMs);
        }
        await apps.deleteNamespacedDeployment({ namespace: ns, name: app.name });
        await core.deleteNamespacedPod({ namespace: ns, name: `bare${i}`, gracePeriodSeconds: 0 });
      }

      return {
        dataGB: gb,
        changeMB,
        samples,
        ownLayers,
        fill: { commitMs: Math.round(fillMs), layerBytes: fill.layerSize ?? 0 },
        unchanged1GB: pair(a.release, a.floor, 1.2, 'one own layer already: the release copies it (blob mounts) and rewrites the config, no merge'),
        ownLayers10: pair(b.release, b.floor, 1.2),
        runningChange: pair(c.release, c.floor, 1.2),
        deploy: pair(d.release, d.floor, 1.3),
      };
    } finally {
      for (const [r, digest] of pushed) await deleteManifest(r, digest).catch(() => {});
      await core.deleteNamespace({ name: ns }).catch(() => {});
    }
  },

  format(r) {
    const ms = (x: Stats) => `median ${x.median} ms (min ${x.min}, max ${x.max}, n=${x.n})`;
    const row = (label: string, p: Pair) =>
      [`${label}`, `    release ${ms(p.release)}`, `    floor   ${ms(p.floor)}`, `    ${p.ratio}x the floor; target ≤ ${p.target}x: ${p.ok ? 'OK' : 'MISSED'}${p.note ? ` (${p.note})` : ''}`].join('\n');
    return [
      `devbox holding ${r.dataGB} GB (committed in ${(r.fill.commitMs / 1000).toFixed(1)} s, ${(r.fill.layerBytes / 1e9).toFixed(2)} GB layer)`,
      row(`(a) unchanged, stopped devbox, 1 own layer     vs agent merge + push`, r.unchanged1GB),
      row(`(b) ${r.ownLayers} own layers                              vs agent merge + push`, r.ownLayers10),
      row(`(c) running devbox, ${r.changeMB} MB change: commit + release vs commit + agent merge`, r.runningChange),
      row(`(d) deploy → first replica Ready              vs bare Pod → Ready`, r.deploy),
    ].join('\n');
  },
};

export default benchmark;
