// Snapshot cost on the bundled cluster, through the node agent the dashboard uses:
//  (a) commit of a 1 KB change on a devbox holding 1 GB of files (in its image's lower layers),
//      against containerd's walking differ (`ctr snapshots diff`) + push to the same registry;
//  (b) commit of a 500 MB change (incompressible) against
//      - the BASELINE: the same work with standard tools, `tar` of the container's overlay upper
//        dir | sha256 (diffID) | gzip -1 | sha256 (digest) | curl upload to the same registry,
//      - the I/O FLOOR: `tar` of the upper dir (reading the changed bytes) | sha256 | upload,
//        uncompressed,
//      - and, for reference, containerd's differ (default gzip level, content store then copy);
//  (c) stop of an idle devbox: graceful stop (SIGTERM, exit, commit the exited container) vs the
//      frozen commit, each followed by the Pod's deletion until it is gone;
//  start of a Pod from an image after 1 vs 40 commits.
//    npm run bench -- snapshot [--json] [--gb 1] [--big-mb 500] [--samples 5] [--chain 40] [--grace 10]
// Targets: (a) ≤ 1 s; (b) ≤ 1.2× the baseline; (c) graceful adds ≤ its SIGTERM wait;
// start after 40 ≤ 1.2× start after 1.
import * as k8s from '@kubernetes/client-node';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { adminConfig, BASE_IMAGE, CONTAINERD_SOCKET, devboxPod, execIn, exitCodeOf, REGISTRY, STATE_DIR, waitFor, waitRunning } from '../test/integration/cluster-helpers';
import { agentCommit, type AgentResult } from '../lib/snapshots/agent-client';
import { type Benchmark, type Stats, intOption, option, stats } from './types';

const run = promisify(execFile);
const ctr = (...args: string[]) => run('ctr', ['--address', CONTAINERD_SOCKET, '-n', 'k8s.io', ...args], { maxBuffer: 1 << 26 });

interface Measured {
  ms: Stats;
  layerBytes: number;
}

interface Result {
  dataGB: number;
  bigMB: number;
  samples: number;
  chain: number;
  fill: { commitMs: number; layerBytes: number };
  smallChange: { agent: Stats; containerdDiffer: Stats; ratio: number; targetMs: 1000; ok: boolean };
  bigChange: {
    agent: Measured;
    baseline: Measured;
    floor: Measured;
    containerdDiffer: Measured;
    /** agent / baseline, agent / floor, containerd differ / agent (medians) */
    ratioToBaseline: number;
    ratioToFloor: number;
    differToAgent: number;
    ok: boolean;
  };
  gracefulStop: {
    graceSeconds: number;
    frozen: { commit: Stats; stop: Stats };
    graceful: { commit: Stats; stop: Stats; sigtermWaitMs: Stats };
    /** graceful − frozen, medians of the whole stop (commit + Pod gone) */
    addedMs: number;
    ok: boolean;
  };
  start: { after1: Stats; afterN: Stats; layers1: number; layersN: number; ratio: number; ok: boolean };
}

/**
 * The baseline and the floor as a shell pipeline of standard tools, so nothing of ours is in
 * them: tar of the upper dir [| sha256 of the tar (diffID) | gzip -1] | sha256 (digest) | curl
 * PATCH (chunked, streamed) to the registry, then PUT ?digest=. Prints the uploaded bytes.
 */
const TAR_UPLOAD = String.raw`set -euo pipefail
upper=$1 reg=$2 repo=$3 compress=$4
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
loc=$(curl -sf -X POST -D - -o /dev/null "http://$reg/v2/$repo/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
case $loc in /*) loc="http://$reg$loc" ;; esac
patch() { curl -sf -X PATCH -H 'Content-Type: application/octet-stream' -H 'Expect:' -T - -D "$tmp/h" -o /dev/null -w '%{size_upload}' "$loc"; }
if [ "$compress" = 1 ]; then
  tar -C "$upper" -cf - . | tee >(sha256sum >"$tmp/diffid") | gzip -1 -n | tee >(sha256sum >"$tmp/digest") | patch >"$tmp/bytes"
else
  tar -C "$upper" -cf - . | tee >(sha256sum >"$tmp/digest") | patch >"$tmp/bytes"
fi
until [ -s "$tmp/digest" ]; do sleep 0.01; done
next=$(tr -d '\r' <"$tmp/h" | sed -n 's/^[Ll]ocation: //p')
case $next in /*) next="http://$reg$next" ;; esac
case $next in *\?*) next="$next&" ;; *) next="$next?" ;; esac
curl -sf -X PUT -o /dev/null "$next"digest=sha256:"$(cut -d' ' -f1 "$tmp/digest")"
cat "$tmp/bytes"`;

const benchmark: Benchmark<Result> = {
  description: 'Snapshot commit: 1 KB change on a 1 GB devbox; 500 MB change vs baseline (tar | gzip -1 | upload) and I/O floor; graceful vs frozen stop; start after 1 vs 40 commits',

  async run({ args, log }) {
    const gb = Number(option(args, 'gb') ?? 1);
    const bigMB = intOption(args, 'big-mb', 500);
    const samples = intOption(args, 'samples', 5);
    const chain = intOption(args, 'chain', 40);
    const grace = intOption(args, 'grace', 10, 0);
    process.env.DEVBOX_AGENT_TOKEN_FILE ??= `${STATE_DIR}/agent/token`;
    const kc = adminConfig();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const ns = `bench-snapshot-${Date.now().toString(36)}`;
    const repo = `${ns}/box`;
    await core.createNamespace({ body: { metadata: { name: ns } } });
    let podSeq = 0;
    let tagSeq = 0;

    const startPod = async (image: string, terminationGracePeriodSeconds?: number) => {
      const name = `p${podSeq++}`;
      const t0 = performance.now();
      const body = devboxPod(name, image);
      if (terminationGracePeriodSeconds !== undefined) body.spec!.terminationGracePeriodSeconds = terminationGracePeriodSeconds;
      await core.createNamespacedPod({ namespace: ns, body });
      const pod = await waitRunning(core, ns, name, 600_000);
      return { name, pod, ms: performance.now() - t0, containerId: pod.status!.containerStatuses![0].containerID!.replace('containerd://', ''), nodeIP: pod.status!.hostIP! };
    };
    const sh = async (pod: string, script: string) => {
      const r = await execIn(kc, ns, pod, 'main', ['bash', '-c', script]);
      if (exitCodeOf(r.status) !== 0) throw new Error(`exec failed: ${r.stderr}`);
      return r.stdout;
    };
    const commit = async (p: { containerId: string; nodeIP: string }, parentImage: string, stop?: { graceSeconds: number }): Promise<AgentResult & { ms: number }> => {
      const t0 = performance.now();
      const tag = `b${tagSeq++}`;
      const r = await agentCommit(p.nodeIP, { containerId: p.containerId, parentImage, targetRepository: repo, targetTag: tag, trigger: stop ? 'stop' : 'commit', requestId: `${ns}-${tag}`, stop });
      return { ...r, ms: performance.now() - t0 };
    };
    /** The container's overlay upper dir, as containerd mounts it. */
    const upperDir = async (containerId: string): Promise<string> => {
      const info = JSON.parse((await ctr('containers', 'info', containerId)).stdout) as { SnapshotKey: string; Snapshotter: string };
      const { stdout } = await ctr('snapshots', '--snapshotter', info.Snapshotter, 'mounts', '/nonexistent', info.SnapshotKey);
      const upper = /upperdir=([^,\s]+)/.exec(stdout)?.[1];
      if (!upper) throw new Error(`no upperdir in the mounts of ${containerId}: ${stdout}`);
      return upper;
    };
    /** Baseline (compress) or I/O floor (not): the TAR_UPLOAD pipeline, timed as a whole. */
    const tarUpload = async (upper: string, compress: boolean): Promise<{ ms: number; bytes: number }> => {
      const t0 = performance.now();
      const { stdout } = await run('bash', ['-c', TAR_UPLOAD, 'tar-upload', upper, REGISTRY, repo, compress ? '1' : '0']);
      return { ms: performance.now() - t0, bytes: Number(stdout.trim()) };
    };
    /**
     * containerd's walking differ over the container's snapshot (`ctr snapshots diff` writes the
     * gzipped layer to stdout), streamed into a registry upload as it comes, like the agent.
     */
    const containerdDiffer = async (containerId: string): Promise<{ ms: number; bytes: number }> => {
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

      log(`(a) 1 KB change on it: ${samples} commits, then containerd's differ ${samples} times`);
      const box = await startPod(fill.image);
      const small: number[] = [];
      const smallFloor: number[] = [];
      for (let i = 0; i < samples; i++) {
        await sh(box.name, `head -c 1024 /dev/urandom > ~/change-${i}`);
        small.push((await commit(box, fill.image)).ms);
      }
      for (let i = 0; i < samples; i++) smallFloor.push((await containerdDiffer(box.containerId)).ms);
      await core.deleteNamespacedPod({ namespace: ns, name: box.name, gracePeriodSeconds: 0 });

      log(`(b) ${bigMB} MB change: agent, baseline, I/O floor and containerd's differ, ${Math.min(samples, 3)} each (interleaved)`);
      const big = await startPod(BASE_IMAGE);
      await sh(big.name, `head -c ${bigMB * 1048576} /dev/urandom > ~/big && sync`);
      const upper = await upperDir(big.containerId);
      const bigRuns = { agent: [] as number[], baseline: [] as number[], floor: [] as number[], containerdDiffer: [] as number[] };
      const bigBytes = { agent: 0, baseline: 0, floor: 0, containerdDiffer: 0 };
      for (let i = 0; i < Math.min(samples, 3); i++) {
        const c = await commit(big, BASE_IMAGE);
        bigRuns.agent.push(c.ms);
        bigBytes.agent = c.layerSize ?? 0;
        for (const [kind, measure] of [
          ['baseline', () => tarUpload(upper, true)],
          ['floor', () => tarUpload(upper, false)],
          ['containerdDiffer', () => containerdDiffer(big.containerId)],
        ] as const) {
          const m = await measure();
          bigRuns[kind].push(m.ms);
          bigBytes[kind] = m.bytes;
        }
        log(`  ${i + 1}: agent ${c.ms.toFixed(0)} ms, baseline ${bigRuns.baseline.at(-1)!.toFixed(0)} ms, floor ${bigRuns.floor.at(-1)!.toFixed(0)} ms, containerd ${bigRuns.containerdDiffer.at(-1)!.toFixed(0)} ms`);
      }
      await core.deleteNamespacedPod({ namespace: ns, name: big.name, gracePeriodSeconds: 0 });

      log(`(c) stop of an idle devbox: graceful (grace ${grace} s) vs frozen, ${samples} each (alternating)`);
      const stopRuns = { frozenCommit: [] as number[], frozenStop: [] as number[], gracefulCommit: [] as number[], gracefulStop: [] as number[], sigterm: [] as number[] };
      for (let i = 0; i < samples; i++) {
        for (const graceful of [false, true]) {
          // the devbox Pod's own grace period, so the frozen path's deletion waits as the product's does
          const p = await startPod(BASE_IMAGE, 10);
          await sh(p.name, `echo ${i} > ~/idle-${i}`);
          const t0 = performance.now();
          const c = await commit(p, BASE_IMAGE, graceful ? { graceSeconds: grace } : undefined);
          await core.deleteNamespacedPod({ namespace: ns, name: p.name });
          await waitFor(`${p.name} gone`, 120_000, async () => core.readNamespacedPod({ namespace: ns, name: p.name }).then(() => undefined, (e) => (e?.code === 404 ? true : undefined)), 20);
          const total = performance.now() - t0;
          if (graceful) {
            if (c.mode !== 'exited') throw new Error(`graceful stop committed in mode ${c.mode}`);
            stopRuns.gracefulCommit.push(c.ms);
            stopRuns.gracefulStop.push(total);
            stopRuns.sigterm.push(c.stopMs ?? 0);
          } else {
            stopRuns.frozenCommit.push(c.ms);
            stopRuns.frozenStop.push(total);
          }
        }
        log(`  ${i + 1}: frozen ${stopRuns.frozenStop.at(-1)!.toFixed(0)} ms, graceful ${stopRuns.gracefulStop.at(-1)!.toFixed(0)} ms (SIGTERM → exit ${stopRuns.sigterm.at(-1)} ms)`);
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

      const s = { agent: stats(small), containerdDiffer: stats(smallFloor) };
      const b = {
        agent: { ms: stats(bigRuns.agent), layerBytes: bigBytes.agent },
        baseline: { ms: stats(bigRuns.baseline), layerBytes: bigBytes.baseline },
        floor: { ms: stats(bigRuns.floor), layerBytes: bigBytes.floor },
        containerdDiffer: { ms: stats(bigRuns.containerdDiffer), layerBytes: bigBytes.containerdDiffer },
      };
      const g = {
        frozen: { commit: stats(stopRuns.frozenCommit), stop: stats(stopRuns.frozenStop) },
        graceful: { commit: stats(stopRuns.gracefulCommit), stop: stats(stopRuns.gracefulStop), sigtermWaitMs: stats(stopRuns.sigterm) },
      };
      const addedMs = Math.round(g.graceful.stop.median - g.frozen.stop.median);
      const st = { after1: stats(after1), afterN: stats(afterN) };
      const r2 = (x: number) => Math.round(x * 100) / 100;
      return {
        dataGB: gb,
        bigMB,
        samples,
        chain,
        fill: { commitMs: Math.round(fill.ms), layerBytes: fill.layerSize ?? 0 },
        smallChange: { ...s, ratio: r2(s.agent.median / s.containerdDiffer.median), targetMs: 1000, ok: s.agent.median <= 1000 },
        bigChange: {
          ...b,
          ratioToBaseline: r2(b.agent.ms.median / b.baseline.ms.median),
          ratioToFloor: r2(b.agent.ms.median / b.floor.ms.median),
          differToAgent: r2(b.containerdDiffer.ms.median / b.agent.ms.median),
          ok: b.agent.ms.median <= 1.2 * b.baseline.ms.median,
        },
        // "adds ≤ its SIGTERM wait": the whole stop grows by no more than the time the processes
        // took to exit after SIGTERM (+ 100 ms of measurement noise on this 2-core node)
        gracefulStop: { graceSeconds: grace, ...g, addedMs, ok: addedMs <= g.graceful.sigtermWaitMs.max + 100 },
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
      `                   containerd differ ${ms(r.smallChange.containerdDiffer)}   (ctr snapshots diff + push)`,
      `                   ${r.smallChange.ratio}x containerd's differ; target ≤ 1000 ms: ${ok(r.smallChange.ok)}`,
      `(b) ${r.bigMB} MB change (random data)`,
      ...(['agent', 'baseline', 'floor', 'containerdDiffer'] as const).map((k) => {
        const label = { agent: 'agent (freeze, upper dir → gzip -1 → push)', baseline: 'BASELINE tar | gzip -1 | curl upload', floor: 'I/O FLOOR tar | upload, uncompressed', containerdDiffer: 'containerd differ (default gzip, store+copy)' }[k];
        return `    ${label.padEnd(45)} ${ms(r.bigChange[k].ms)}  ${(r.bigChange[k].layerBytes / 1e6).toFixed(0)} MB`;
      }),
      `    agent = ${r.bigChange.ratioToBaseline}x the baseline (target ≤ 1.2x: ${ok(r.bigChange.ok)}), ${r.bigChange.ratioToFloor}x the I/O floor; containerd's differ = ${r.bigChange.differToAgent}x the agent`,
      `(c) stop of an idle devbox (commit, then the Pod deleted until gone)`,
      `    frozen commit              commit ${ms(r.gracefulStop.frozen.commit)}; whole stop ${ms(r.gracefulStop.frozen.stop)}`,
      `    graceful stop (grace ${r.gracefulStop.graceSeconds} s)  commit ${ms(r.gracefulStop.graceful.commit)}; whole stop ${ms(r.gracefulStop.graceful.stop)}`,
      `    SIGTERM → exit ${ms(r.gracefulStop.graceful.sigtermWaitMs)}; graceful adds ${r.gracefulStop.addedMs} ms to the stop; target ≤ its SIGTERM wait: ${ok(r.gracefulStop.ok)}`,
      `start (warm)       after 1 commit (${r.start.layers1} layers)  ${ms(r.start.after1)}`,
      `                   after ${r.chain} commits (${r.start.layersN} layers) ${ms(r.start.afterN)}`,
      `                   ${r.start.ratio}x; target ≤ 1.2x: ${ok(r.start.ok)}`,
    ].join('\n');
  },
};

export default benchmark;
