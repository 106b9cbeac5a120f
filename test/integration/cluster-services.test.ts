// Services and cluster DNS on the bundled cluster, seen from inside real Pods:
// - the service-range guard (cluster/lib/network.sh): a connection to a ClusterIP no Service owns
//   is refused at once and rejected on this machine (the guard's counter grows), not routed out;
// - kube-proxy (cluster/lib/kube-proxy.sh): a ClusterIP reaches its Pod from a Pod and from the
//   host, a NodePort from the host;
// - CoreDNS (cluster/lib/coredns.sh): <service>.<namespace>.svc.cluster.local resolves in a Pod,
//   names outside the cluster fail at once, and no Pod gets a MissingClusterDNS event.
// - metrics-server (cluster/lib/metrics-server.sh): `kubectl top pods` shows the Pods' CPU and memory.
// - the apiserver (cluster/lib/control-plane.sh): a Pod reaches https://kubernetes.default.svc with
//   its ServiceAccount token, TLS verified against the token's ca.crt; CoreDNS and metrics-server
//   are ordinary Pods behind selector Services, the Metrics API's APIService verifies its serving
//   cert; the apiserver guard (cluster/lib/network.sh) refuses a client that is neither this host
//   nor a Pod (another machine, stood in for by a network namespace).
// Needs a running cluster: sudo npm run cluster -- up
import * as k8s from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ADMIN_KUBECONFIG, REGISTRY, STATE_DIR, adminConfig, devboxPod, execIn, waitFor, waitRunning } from './cluster-helpers';

const kc = adminConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const ns = `svc-test-${process.pid}-${Date.now().toString(36)}`;
const SERVICE_CIDR = process.env.DEVBOX_SERVICE_CIDR ?? '10.96.0.0/16';
const CNI_NETWORK = process.env.DEVBOX_CNI_NETWORK ?? 'devbox';
const PYTHON_IMAGE = `${REGISTRY}/devbox/python:bookworm`;
const POD_CIDR = process.env.DEVBOX_POD_CIDR ?? '10.88.0.0/16';
const APISERVER_PORT = Number(process.env.DEVBOX_APISERVER_PORT ?? 6443);
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const KUBECTL = process.env.DEVBOX_KUBECTL ?? `${process.env.HOME ?? '/root'}/.cache/devbox/bin/v1.34.4/kubectl`;

async function sh(pod: string, script: string): Promise<string> {
  const r = await execIn(kc, ns, pod, 'main', ['bash', '-c', script]);
  return (r.stdout + r.stderr).trim();
}

/** Packets the guard's TCP rule for forwarded (Pod) traffic has rejected so far (cluster/lib/network.sh). */
function guardRejected(): number {
  const table = `devbox_service_guard_${CNI_NETWORK.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const out = execFileSync('nft', ['list', 'chain', 'inet', table, 'forward'], { encoding: 'utf8' });
  const m = /tcp counter packets (\d+) bytes \d+ reject with tcp reset/.exec(out);
  if (!m) throw new Error(`no service-range guard rule in nftables table inet ${table}:\n${out}`);
  return Number(m[1]);
}

function hostConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect({ host, port, timeout: 3000 });
    let got = '';
    c.on('connect', () => c.write('GET / HTTP/1.0\r\n\r\n'));
    c.on('data', (d) => (got += d.toString()));
    c.on('end', () => resolve(got));
    c.on('error', (e) => resolve(`error: ${e.message}`));
    c.on('timeout', () => (c.destroy(), resolve('timeout')));
  });
}

/** An address in the service range no Service owns. */
async function unusedClusterIP(): Promise<string> {
  const used = new Set((await core.listServiceForAllNamespaces()).items.map((s) => s.spec?.clusterIP));
  const [a, b] = SERVICE_CIDR.split('/')[0].split('.');
  for (let i = 250; i > 0; i--) {
    const ip = `${a}.${b}.255.${i}`;
    if (!used.has(ip)) return ip;
  }
  throw new Error('no unused ClusterIP found');
}

const inPodCidr = (ip: string) => ip.split('.').slice(0, 2).join('.') === POD_CIDR.split('.').slice(0, 2).join('.');

describe('services and cluster DNS', () => {
  let webIP = '';
  let nodePort = 0;
  let nodeIP = '';

  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: ns, labels: { 'devbox.test': 'cluster' } } } });
    const web = devboxPod('web', PYTHON_IMAGE);
    web.metadata!.labels = { ...web.metadata!.labels, app: 'web' };
    web.spec!.containers[0].command = ['python3', '-m', 'http.server', '8080'];
    web.spec!.containers[0].readinessProbe = { tcpSocket: { port: 8080 }, periodSeconds: 1 };
    // a Pod with a ServiceAccount token, as an in-cluster client (the dashboard in a Pod) has
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'reader' } } });
    const reader = devboxPod('reader', PYTHON_IMAGE);
    reader.spec!.serviceAccountName = 'reader';
    reader.spec!.automountServiceAccountToken = true;
    reader.spec!.containers[0].command = ['sleep', 'infinity'];
    await Promise.all([
      core.createNamespacedPod({ namespace: ns, body: devboxPod('client') }),
      core.createNamespacedPod({ namespace: ns, body: web }),
      core.createNamespacedPod({ namespace: ns, body: reader }),
    ]);
    const svc = await core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    });
    webIP = svc.spec!.clusterIP!;
    const np = await core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'web-np' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    });
    nodePort = np.spec!.ports![0].nodePort!;
    await waitRunning(core, ns, 'client', 170_000);
    await waitRunning(core, ns, 'reader', 170_000);
    const w = await waitFor('web ready', 170_000, async () => {
      const p = await core.readNamespacedPod({ namespace: ns, name: 'web' });
      return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
    });
    nodeIP = w.status!.hostIP!;
  }, 240_000);

  afterAll(async () => {
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('refuses at once a connection to a ClusterIP no Service owns, and rejects it on this machine', { timeout: 30_000 }, async () => {
    const ip = await unusedClusterIP();
    const before = guardRejected();
    const out = await sh('client', `s=$(date +%s%N); timeout 5 bash -c 'exec 3<>/dev/tcp/${ip}/443' 2>&1; echo "rc=$? ms=$(( ($(date +%s%N) - s) / 1000000 ))"`);
    expect(out).toMatch(/Connection refused/);
    const ms = Number(/ms=(\d+)/.exec(out)![1]);
    expect(ms).toBeLessThan(1000);
    // the SYN stopped at the guard (REJECT with a reset), so nothing went out of the default route
    expect(guardRejected()).toBeGreaterThan(before);
  });

  it('routes a ClusterIP to its Pod from inside a Pod', { timeout: 60_000 }, async () => {
    const out = await waitFor('ClusterIP answering from the client pod', 30_000, async () => {
      const o = await sh('client', `timeout 3 bash -c 'exec 3<>/dev/tcp/${webIP}/80; printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3; head -1 <&3'`);
      return o.includes('HTTP/1.0 200') ? o : undefined;
    });
    expect(out).toContain('200 OK');
  });

  it('routes a ClusterIP from the host, and a NodePort on the node address', { timeout: 60_000 }, async () => {
    expect(await waitFor('ClusterIP from the host', 30_000, async () => ((await hostConnect(webIP, 80)).startsWith('HTTP/1.0 200') ? true : undefined))).toBe(true);
    expect(await waitFor('NodePort from the host', 30_000, async () => ((await hostConnect(nodeIP, nodePort)).startsWith('HTTP/1.0 200') ? true : undefined))).toBe(true);
  });

  it('resolves <service>.<namespace>.svc.cluster.local and short names inside a Pod', { timeout: 60_000 }, async () => {
    expect(await sh('client', 'grep ^nameserver /etc/resolv.conf')).toBe(`nameserver ${SERVICE_CIDR.split('/')[0].replace(/\.0$/, '.10')}`);
    const full = await waitFor('the service name to resolve', 30_000, async () => {
      const o = await sh('client', `getent hosts web.${ns}.svc.cluster.local`);
      return o.startsWith(webIP) ? o : undefined;
    });
    expect(full.split(/\s+/)[0]).toBe(webIP);
    expect((await sh('client', 'getent hosts web')).split(/\s+/)[0]).toBe(webIP);
    expect((await sh('client', 'getent hosts kubernetes.default')).split(/\s+/)[0]).toBe(SERVICE_CIDR.split('/')[0].replace(/\.0$/, '.1'));
    // and connects by name through kube-proxy
    const o = await sh('client', `timeout 3 bash -c 'exec 3<>/dev/tcp/web/80; printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3; head -1 <&3'`);
    expect(o).toContain('200 OK');
  });

  it('fails names outside the cluster at once (no upstream here)', { timeout: 30_000 }, async () => {
    const out = await sh('client', `s=$(date +%s%N); getent hosts example.com; echo "rc=$? ms=$(( ($(date +%s%N) - s) / 1000000 ))"`);
    expect(out).toMatch(/^rc=2 /); // getent: key not found
    expect(Number(/ms=(\d+)/.exec(out)![1])).toBeLessThan(1000);
  });

  it('gives no Pod a MissingClusterDNS event', { timeout: 30_000 }, async () => {
    const events = await core.listNamespacedEvent({ namespace: ns });
    expect(events.items.filter((e) => e.reason === 'MissingClusterDNS')).toEqual([]);
    // the positive: the same list does hold the Pods' other events
    expect(events.items.some((e) => e.involvedObject.name === 'client' && e.reason === 'Started')).toBe(true);
  });

  it('serves the Pods\' CPU and memory through the Metrics API (kubectl top pods)', { timeout: 150_000 }, async () => {
    // metrics-server scrapes every 15 s; a new Pod shows up after one or two scrapes
    const rows = await waitFor('kubectl top pods to list client and web', 140_000, async () => {
      const out = execFileSync(KUBECTL, ['--kubeconfig', ADMIN_KUBECONFIG, 'top', 'pods', '-n', ns, '--no-headers'], { encoding: 'utf8' });
      const names = out.split('\n').filter(Boolean).map((l) => l.split(/\s+/));
      return names.some((r) => r[0] === 'client') && names.some((r) => r[0] === 'web') ? names : undefined;
    }, 3000);
    const web = rows.find((r) => r[0] === 'web')!;
    expect(web[1]).toMatch(/^\d+m$/); // CPU in millicores
    expect(web[2]).toMatch(/^[1-9]\d*Mi$/); // a Python web server uses some MiB
  });

  it('the kubernetes Service leads to the apiserver on the node address; a Pod reaches it with its ServiceAccount token, TLS verified', { timeout: 60_000 }, async () => {
    const slices = await kc.makeApiClient(k8s.DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=kubernetes' });
    expect(slices.items.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses))).toEqual([nodeIP]);
    expect(slices.items.flatMap((s) => (s.ports ?? []).map((p) => p.port))).toEqual([APISERVER_PORT]);
    // who the apiserver says the caller is: the Pod's ServiceAccount (its token authenticated)
    const review = `curl -sS --max-time 5 --cacert CA -H "Authorization: Bearer $(cat ${SA_DIR}/token)" -H 'Content-Type: application/json' -X POST ` +
      `-d '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' https://kubernetes.default.svc/apis/authentication.k8s.io/v1/selfsubjectreviews`;
    const out = await waitFor('the apiserver through https://kubernetes.default.svc', 30_000, async () => {
      const o = await execIn(kc, ns, 'reader', 'main', ['bash', '-c', review.replace('CA', `${SA_DIR}/ca.crt`)]);
      return o.stdout.includes('userInfo') ? o.stdout : undefined;
    });
    expect((JSON.parse(out) as { status: { userInfo: { username: string } } }).status.userInfo.username).toBe(`system:serviceaccount:${ns}:reader`);
    // a Pod without a token (automountServiceAccountToken: false) connects but gets nothing, not even /version
    expect(await sh('client', `curl -sk -o /dev/null -w '%{http_code}' https://kubernetes.default.svc/version`)).toBe('401');
    // the TLS check is real: against another CA (the image's public roots) the same call fails
    const wrong = await execIn(kc, ns, 'reader', 'main', ['bash', '-c', `${review.replace('CA', '/etc/ssl/certs/ca-certificates.crt')}; echo "rc=$?"`]);
    expect(wrong.stderr + wrong.stdout).toMatch(/certificate/i);
    expect(wrong.stdout).toMatch(/rc=60/); // curl: peer certificate cannot be authenticated with known CA certificates
  });

  it('CoreDNS and metrics-server are Pods on the Pod network behind selector Services; the Metrics API verifies its serving cert', { timeout: 60_000 }, async () => {
    const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    for (const [app, service] of [['kube-dns', 'kube-dns'], ['metrics-server', 'metrics-server']]) {
      const pods = (await core.listNamespacedPod({ namespace: 'kube-system', labelSelector: `k8s-app=${app}` })).items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
      expect(pods.length, app).toBeGreaterThanOrEqual(1);
      for (const p of pods) {
        expect(p.spec?.hostNetwork ?? false, app).toBe(false);
        expect(inPodCidr(p.status!.podIP!), `${app} ${p.status?.podIP}`).toBe(true);
      }
      const svc = await core.readNamespacedService({ namespace: 'kube-system', name: service });
      expect(svc.spec?.selector, service).toEqual({ 'k8s-app': app });
      // every endpoint is one of its Pods, kept by Kubernetes' EndpointSlice controller (none written by `up`)
      const slices = (await discovery.listNamespacedEndpointSlice({ namespace: 'kube-system', labelSelector: `kubernetes.io/service-name=${service}` })).items;
      for (const sl of slices) expect(sl.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], service).toBe('endpointslice-controller.k8s.io');
      const ready = slices.flatMap((sl) => (sl.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses));
      expect(ready.sort(), service).toEqual(pods.map((p) => p.status!.podIP!).sort());
    }
    const reg = kc.makeApiClient(k8s.ApiregistrationV1Api);
    const api = await reg.readAPIService({ name: 'v1beta1.metrics.k8s.io' });
    expect(api.spec?.insecureSkipTLSVerify ?? false).toBe(false);
    expect(Buffer.from(api.spec!.caBundle!, 'base64').toString()).toBe(readFileSync(`${STATE_DIR}/pki/ca.crt`, 'utf8'));
    expect(api.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
  });

  it('the apiserver refuses a client that is neither this host nor a Pod', { timeout: 60_000 }, async () => {
    // "another machine": a network namespace behind a veth, in the benchmarking range (RFC 2544)
    const tag = `${process.pid % 100000}`;
    const netns = `apig-${tag}`;
    const [vh, vn] = [`agh${tag}`, `agn${tag}`];
    const run = (...a: string[]) => execFileSync(a[0], a.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      run('ip', 'netns', 'add', netns);
      run('ip', 'link', 'add', vh, 'type', 'veth', 'peer', 'name', vn);
      run('ip', 'link', 'set', vn, 'netns', netns);
      run('ip', 'addr', 'add', '198.18.7.1/30', 'dev', vh);
      run('ip', 'link', 'set', vh, 'up');
      run('ip', '-n', netns, 'addr', 'add', '198.18.7.2/30', 'dev', vn);
      run('ip', '-n', netns, 'link', 'set', vn, 'up');
      run('ip', '-n', netns, 'route', 'add', `${nodeIP}/32`, 'via', '198.18.7.1');
      const probe = (port: number) =>
        run('ip', 'netns', 'exec', netns, 'bash', '-c', `timeout 3 bash -c 'exec 3<>/dev/tcp/${nodeIP}/${port}' 2>&1; echo "rc=$?"`);
      // control: the namespace does reach the node (the NodePort of the web Service answers)
      expect(probe(nodePort)).toMatch(/rc=0/);
      expect(probe(APISERVER_PORT)).toMatch(/Connection refused[\s\S]*rc=1/);
      // while this host and Pods do
      expect(await hostConnect(nodeIP, APISERVER_PORT)).not.toMatch(/^error|^timeout/);
      expect(await sh('client', `timeout 3 bash -c 'exec 3<>/dev/tcp/${nodeIP}/${APISERVER_PORT}' && echo open`)).toBe('open');
    } finally {
      try {
        run('ip', 'netns', 'del', netns);
      } catch {}
      try {
        run('ip', 'link', 'del', vh);
      } catch {}
    }
  });
});
