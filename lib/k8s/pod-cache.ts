import { EventEmitter } from "node:events";
import { CoreV1Api, makeInformer, type V1Pod } from "@kubernetes/client-node";
import { kubeConfig } from "./config";
import { DEVBOX_ID_LABEL } from "@/lib/devboxes/k8s-objects";

/**
 * Every devbox Pod in the cluster, kept current by one list+watch (an informer) in the server
 * process and indexed by devbox. Pages and the reconciler read it instead of asking Kubernetes.
 * Emits "change" with the devbox id whenever one of its Pods changes.
 */
export class DevboxPodCache extends EventEmitter {
  private byDevbox = new Map<string, Map<string, V1Pod>>();
  private synced = false;
  private readyWaiters: (() => void)[] = [];
  private stopped = false;

  start(): void {
    const core = kubeConfig().makeApiClient(CoreV1Api);
    const informer = makeInformer<V1Pod>(
      kubeConfig(),
      "/api/v1/pods",
      () => core.listPodForAllNamespaces({ labelSelector: DEVBOX_ID_LABEL }),
      DEVBOX_ID_LABEL,
    );
    const put = (pod: V1Pod) => this.put(pod);
    informer.on("add", put);
    informer.on("update", put);
    informer.on("delete", (pod) => this.remove(pod));
    informer.on("connect", () => {
      // The informer has listed: the cache now holds every Pod (stale entries are pruned).
      const live = new Set(informer.list().map((p) => p.metadata?.uid));
      for (const [id, pods] of this.byDevbox)
        for (const [name, pod] of pods) if (!live.has(pod.metadata?.uid)) this.remove(pods.get(name)!, id);
      for (const p of informer.list()) this.put(p);
      this.synced = true;
      this.readyWaiters.splice(0).forEach((w) => w());
    });
    informer.on("error", (err) => {
      if (this.stopped) return;
      console.error("[devbox] pod watch failed, restarting in 3 s:", err instanceof Error ? err.message : err);
      setTimeout(() => void informer.start().catch(() => {}), 3000);
    });
    informer.start().catch((err) => {
      console.error("[devbox] pod watch could not start, retrying:", err instanceof Error ? err.message : err);
      setTimeout(() => void informer.start().catch(() => {}), 3000);
    });
    this.stopInformer = () => informer.stop();
  }

  private stopInformer: () => Promise<void> = async () => {};

  async stop(): Promise<void> {
    this.stopped = true;
    await this.stopInformer();
  }

  /** Resolves once the first list has been loaded. */
  ready(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((r) => this.readyWaiters.push(r));
  }

  get isSynced(): boolean {
    return this.synced;
  }

  podsOf(devboxId: string): V1Pod[] {
    return [...(this.byDevbox.get(devboxId)?.values() ?? [])];
  }

  private put(pod: V1Pod): void {
    const id = pod.metadata?.labels?.[DEVBOX_ID_LABEL];
    if (!id) return;
    let pods = this.byDevbox.get(id);
    if (!pods) this.byDevbox.set(id, (pods = new Map()));
    pods.set(pod.metadata!.name!, pod);
    this.emit("change", id);
  }

  private remove(pod: V1Pod, id = pod.metadata?.labels?.[DEVBOX_ID_LABEL]): void {
    if (!id) return;
    const pods = this.byDevbox.get(id);
    pods?.delete(pod.metadata!.name!);
    if (pods?.size === 0) this.byDevbox.delete(id);
    this.emit("change", id);
  }
}

const globalKey = Symbol.for("devbox.podCache");
type GlobalWithCache = typeof globalThis & { [globalKey]?: DevboxPodCache };

/** The process-wide cache; server.ts starts it. */
export function devboxPodCache(): DevboxPodCache {
  const g = globalThis as GlobalWithCache;
  if (!g[globalKey]) {
    g[globalKey] = new DevboxPodCache();
    g[globalKey].setMaxListeners(0);
  }
  return g[globalKey];
}
