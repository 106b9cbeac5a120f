// Helpers for the tests of the bundled cluster (cluster/devbox-cluster).
import * as k8s from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { type Readable, Writable } from 'node:stream';

export const STATE_DIR = process.env.DEVBOX_CLUSTER_DIR ?? '/var/lib/devbox-cluster';
export const ADMIN_KUBECONFIG = process.env.DEVBOX_ADMIN_KUBECONFIG ?? `${STATE_DIR}/kubeconfig/admin.kubeconfig`;
export const REGISTRY = process.env.DEVBOX_REGISTRY ?? '127.0.0.1:5000';
export const CONTAINERD_SOCKET = `${STATE_DIR}/containerd/containerd.sock`;
export const BASE_IMAGE = `${REGISTRY}/devbox/base:bookworm`;

export function adminConfig(path = ADMIN_KUBECONFIG): k8s.KubeConfig {
  if (!existsSync(path)) {
    throw new Error(`no kubeconfig at ${path}: start the cluster first (sudo npm run cluster -- up)`);
  }
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** Poll fn until it returns a non-undefined value or the deadline passes. */
export async function waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/**
 * A shell command that returns once something accepts connections on host:port, or fails after
 * timeoutS saying what it waited for. A server started in the background needs this, not a sleep:
 * how long it takes to listen depends on the devbox's CPU limit and the machine's load. perl is in
 * every Debian image; bash's /dev/tcp is not in sh.
 */
export function untilListening(port: number, host = '127.0.0.1', timeoutS = 60): string {
  const tries = timeoutS * 10;
  return `perl -MIO::Socket::INET -e 'for (1..${tries}) { exit 0 if IO::Socket::INET->new(PeerAddr => "${host}:${port}", Timeout => 1); select(undef, undef, undef, 0.1) } print STDERR "nothing listens on ${host}:${port} after ${timeoutS} s\\n"; exit 1'`;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  status: k8s.V1Status;
}

/** Run a command through the websocket exec API (with `stdin` when given); resolves with its output and final V1Status. */
export function execIn(kc: k8s.KubeConfig, ns: string, pod: string, container: string, cmd: string[], onFirstOutput?: () => void, stdin: Readable | null = null): Promise<ExecResult> {
  let stdout = '';
  let stderr = '';
  let first = true;
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        if (first) {
          first = false;
          onFirstOutput?.();
        }
        append(chunk.toString());
        cb();
      },
    });
  return new Promise((resolve, reject) => {
    let done = false;
    new k8s.Exec(kc)
      .exec(ns, pod, container, cmd, sink((s) => (stdout += s)), sink((s) => (stderr += s)), stdin, false, (status) => {
        done = true;
        resolve({ stdout, stderr, status });
      })
      .then((ws) => {
        ws.on('close', () => {
          // the status frame always precedes close; give queued frames a tick
          setImmediate(() => done || reject(new Error(`exec ${cmd.join(' ')}: websocket closed without a status`)));
        });
        ws.on('error', reject);
      }, reject);
  });
}

export function exitCodeOf(status: k8s.V1Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  if (status.reason === 'NonZeroExitCode' && cause?.message) return Number(cause.message);
  throw new Error(`exec failed: ${JSON.stringify(status)}`);
}

export function devboxPod(name: string, image = BASE_IMAGE): k8s.V1Pod {
  return {
    metadata: { name, labels: { 'devbox.test': 'cluster' } },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image, imagePullPolicy: 'IfNotPresent' }],
    },
  };
}

export async function waitRunning(core: k8s.CoreV1Api, ns: string, name: string, timeoutMs: number): Promise<k8s.V1Pod> {
  return waitFor(`pod ${ns}/${name} Running`, timeoutMs, async () => {
    const p = await core.readNamespacedPod({ namespace: ns, name });
    const phase = p.status?.phase;
    if (phase === 'Failed' || phase === 'Succeeded') {
      throw Object.assign(new Error(`pod ${name} ended in phase ${phase}: ${JSON.stringify(p.status?.containerStatuses)}`), { fatal: true });
    }
    const waiting = p.status?.containerStatuses?.[0]?.state?.waiting;
    if (waiting && /ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainerError/.test(waiting.reason ?? '')) {
      throw new Error(`pod ${name}: ${waiting.reason}: ${waiting.message}`);
    }
    return phase === 'Running' ? p : undefined;
  }, 100);
}
