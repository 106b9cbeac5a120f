import https from "node:https";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { kubeConfig } from "@/lib/k8s/config";
import type { PodReading, PodRef, UsageSource } from "./source";

/** The part of the kubelet's /stats/summary this reads (k8s.io/kubelet/pkg/apis/stats/v1alpha1). */
export interface KubeletSummary {
  pods?: {
    podRef: { name: string; namespace: string; uid: string };
    cpu?: { time?: string; usageNanoCores?: number; usageCoreNanoSeconds?: number };
    memory?: { time?: string; workingSetBytes?: number };
    network?: { time?: string; rxBytes?: number; txBytes?: number; interfaces?: { rxBytes?: number; txBytes?: number }[] };
    containers?: { rootfs?: { usedBytes?: number }; logs?: { usedBytes?: number } }[];
    "ephemeral-storage"?: { usedBytes?: number };
  }[];
}

/** Pod readings from one node's summary. Pure. */
export function readingsFromSummary(summary: KubeletSummary, fallbackAt = new Date()): PodReading[] {
  // A Pod the kubelet has not measured yet (its first seconds) has no memory figure (or 0): no reading, rather than zeros.
  return (summary.pods ?? []).filter((p) => (p.memory?.workingSetBytes ?? 0) > 0).map((p) => {
    const containers = p.containers ?? [];
    const disk = p["ephemeral-storage"]?.usedBytes ?? containers.reduce((s, c) => s + (c.rootfs?.usedBytes ?? 0) + (c.logs?.usedBytes ?? 0), 0);
    const net = p.network;
    // The default interface's counters are at the top; some runtimes only list interfaces.
    const rx = net?.rxBytes ?? (net?.interfaces?.length ? net.interfaces.reduce((s, i) => s + (i.rxBytes ?? 0), 0) : undefined);
    const tx = net?.txBytes ?? (net?.interfaces?.length ? net.interfaces.reduce((s, i) => s + (i.txBytes ?? 0), 0) : undefined);
    const time = p.cpu?.time ?? p.memory?.time;
    return {
      namespace: p.podRef.namespace,
      name: p.podRef.name,
      uid: p.podRef.uid,
      at: time ? new Date(time) : fallbackAt,
      cpuMillis: (p.cpu?.usageNanoCores ?? 0) / 1e6,
      cpuNanoSeconds: p.cpu?.usageCoreNanoSeconds,
      memoryBytes: p.memory?.workingSetBytes ?? 0,
      diskBytes: disk,
      rxBytes: rx,
      txBytes: tx,
    };
  });
}

/**
 * How the summary is reached:
 * - "kubelet" (default): the node's kubelet directly (InternalIP, its kubelet port), as the
 *   dashboard's own identity; the kubelet authorizes `get nodes/stats`, nothing more.
 * - "node-proxy": through the apiserver (`/api/v1/nodes/<node>/proxy/stats/summary`), for
 *   clusters whose kubelets the dashboard cannot reach. Needs `get nodes/proxy`, which also lets
 *   its holder open any kubelet endpoint (exec into any Pod on the node): grant it only if you must.
 */
export type SummaryTransport = "kubelet" | "node-proxy";

const TIMEOUT_MS = 10_000;
const NODE_CACHE_MS = 5 * 60_000;

export class KubeletSummarySource implements UsageSource {
  private endpoints = new Map<string, { host: string; port: number }>();
  private endpointsAt = 0;
  private readonly lastError = new Map<string, string>();

  constructor(
    private readonly kc: KubeConfig = kubeConfig(),
    private readonly transport: SummaryTransport = process.env.DEVBOX_USAGE_TRANSPORT === "node-proxy" ? "node-proxy" : "kubelet",
    // Kubelets with self-signed serving certificates (kubeadm's default): like metrics-server's --kubelet-insecure-tls.
    private readonly insecureKubeletTls = process.env.DEVBOX_KUBELET_INSECURE_TLS === "1",
  ) {}

  async read(pods: PodRef[]): Promise<PodReading[]> {
    const out: PodReading[] = [];
    await Promise.all(
      [...new Set(pods.map((p) => p.nodeName))].map(async (node) => {
        try {
          out.push(...readingsFromSummary(await this.summary(node)));
          this.lastError.delete(node);
        } catch (err) {
          // Logged when it changes, not every pass (a missing RBAC rule would flood the log).
          const message = err instanceof Error ? err.message : String(err);
          if (this.lastError.get(node) !== message) console.error(`[devbox] usage: reading node ${node} failed${/\b403\b/.test(message) ? " (the dashboard needs get nodes/stats: docs/usage.md)" : ""}:`, message);
          this.lastError.set(node, message);
        }
      }),
    );
    return out;
  }

  private async summary(node: string): Promise<KubeletSummary> {
    if (this.transport === "node-proxy") {
      const server = new URL(this.kc.getCurrentCluster()!.server);
      return this.getJson(server.hostname, Number(server.port || 443), `/api/v1/nodes/${encodeURIComponent(node)}/proxy/stats/summary`, false);
    }
    const ep = await this.endpoint(node);
    return this.getJson(ep.host, ep.port, "/stats/summary", this.insecureKubeletTls);
  }

  private async endpoint(node: string): Promise<{ host: string; port: number }> {
    if (!this.endpoints.has(node) || Date.now() - this.endpointsAt > NODE_CACHE_MS) {
      // list, not get: the dashboard may list nodes (team egress policies) but not get one.
      const list = await this.kc.makeApiClient(CoreV1Api).listNode();
      this.endpoints = new Map(
        list.items.map((n) => [
          n.metadata?.name ?? "",
          {
            host: n.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? n.metadata?.name ?? "",
            port: n.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250,
          },
        ]),
      );
      this.endpointsAt = Date.now();
    }
    const ep = this.endpoints.get(node);
    if (!ep) throw new Error(`node ${node} is not listed`);
    return ep;
  }

  private async getJson(host: string, port: number, path: string, insecure: boolean): Promise<KubeletSummary> {
    const opts: https.RequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    return new Promise((resolve, reject) => {
      const req = https.request(
        { ...opts, host, port, path, method: "GET", timeout: TIMEOUT_MS, ...(insecure ? { rejectUnauthorized: false } : { servername: isIp(host) ? undefined : host }) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode !== 200) return reject(new Error(`${path}: HTTP ${res.statusCode} ${body.slice(0, 200)}`));
            try {
              resolve(JSON.parse(body) as KubeletSummary);
            } catch (err) {
              reject(err);
            }
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${path}: no answer in ${TIMEOUT_MS / 1000} s`)));
      req.on("error", reject);
      req.end();
    });
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}
