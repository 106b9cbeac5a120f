// The bundled single-node cluster runs real pods: namespace, pod from the
// devbox base image in the local registry, websocket exec, cleanup in containerd.
// Needs a running cluster: sudo npm run cluster -- up
import * as k8s from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_IMAGE, CONTAINERD_SOCKET, adminConfig, devboxPod, execIn, exitCodeOf, waitFor, waitRunning } from './cluster-helpers';

const kc = adminConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const ns = `cluster-test-${process.pid}-${Date.now().toString(36)}`;
const podName = 'shell';

function containerdContainers(): string[] {
  const out = execFileSync('ctr', ['--address', CONTAINERD_SOCKET, '-n', 'k8s.io', 'containers', 'ls', '-q'], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

describe('bundled cluster', () => {
  let containerId = '';

  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: ns, labels: { 'devbox.test': 'cluster' } } } });
  });

  afterAll(async () => {
    // deleting the namespace removes anything a failed test left behind
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('has a Ready node', async () => {
    const nodes = await core.listNode();
    expect(nodes.items.length).toBe(1);
    const ready = nodes.items[0].status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready?.status).toBe('True');
  });

  // First run on a node pulls the base image (~100 MB) from the local registry.
  it('runs a pod from the base image in the local registry', { timeout: 180_000 }, async () => {
    await core.createNamespacedPod({ namespace: ns, body: devboxPod(podName) });
    const pod = await waitRunning(core, ns, podName, 170_000);
    const status = pod.status!.containerStatuses![0];
    // The kubelet may name the image by any name containerd has for it (other tests push the same
    // base image to registries of their own): what ran is decided by its digest.
    const digest = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${BASE_IMAGE}`], { encoding: 'utf8' }).trim();
    expect(status.imageID).toMatch(new RegExp(`@${digest}$`));
    expect(status.ready).toBe(true);
    expect(pod.status!.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    containerId = status.containerID!.replace(/^containerd:\/\//, '');
    expect(containerdContainers()).toContain(containerId);
  });

  it('execs echo over the websocket and gets stdout and success', { timeout: 30_000 }, async () => {
    const r = await execIn(kc, ns, podName, 'main', ['echo', 'hello from devbox']);
    expect(r.stdout).toBe('hello from devbox\n');
    expect(r.status.status).toBe('Success');
    expect(exitCodeOf(r.status)).toBe(0);
  });

  it('runs as the non-root devbox user', { timeout: 30_000 }, async () => {
    const r = await execIn(kc, ns, podName, 'main', ['id', '-un']);
    expect(r.stdout.trim()).toBe('devbox');
    expect(exitCodeOf(r.status)).toBe(0);
  });

  it('reports a non-zero exit status', { timeout: 30_000 }, async () => {
    const r = await execIn(kc, ns, podName, 'main', ['sh', '-c', 'echo to-stderr >&2; exit 3']);
    expect(r.stderr).toBe('to-stderr\n');
    expect(r.status.status).toBe('Failure');
    expect(r.status.reason).toBe('NonZeroExitCode');
    expect(r.status.details?.causes).toContainEqual(expect.objectContaining({ reason: 'ExitCode', message: '3' }));
    expect(exitCodeOf(r.status)).toBe(3);
  });

  it('removes the container from containerd when the pod is deleted', { timeout: 60_000 }, async () => {
    expect(containerId).not.toBe('');
    await core.deleteNamespacedPod({ name: podName, namespace: ns, gracePeriodSeconds: 0 });
    await waitFor('pod object gone', 50_000, async () => {
      try {
        await core.readNamespacedPod({ name: podName, namespace: ns });
        return undefined;
      } catch (e) {
        if ((e as { code?: number }).code === 404) return true;
        throw e;
      }
    });
    await waitFor(`container ${containerId} gone from containerd`, 20_000, async () =>
      containerdContainers().includes(containerId) ? undefined : true,
    );
  });
});
