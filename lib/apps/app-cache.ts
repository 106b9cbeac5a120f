import { EventEmitter } from "node:events";
import { AppsV1Api, CoreV1Api, makeInformer, type KubernetesObject, type V1Deployment, type V1Pod } from "@kubernetes/client-node";
import { kubeConfig } from "@/lib/k8s/config";
import { APP_ID_LABEL } from "./k8s-objects";

/**
 * Every app's Deployment and Pods in the cluster, kept current by two list+watches in the server
 * process (as lib/k8s/pod-cache.ts does for devboxes). Pages read it; "change" carries the app id.
 */
export class AppCache extends EventEmitter {
  private deploymentsById = new Map<string, V1Deployment>();
  private pods = new Map<string, Map<string, V1Pod>>();
  private syncedParts = 0;
  private waiters: (() => void)[] = [];
  private stops: (() => Promise<void>)[] = [];
  private stopped = false;

  start(): void {
    const kc = kubeConfig();
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    this.watch<V1Deployment>("/apis/apps/v1/deployments", () => apps.listDeploymentForAllNamespaces({ labelSelector: APP_ID_LABEL }), (d) => this.putDeployment(d), (d) => this.dropDeployment(d));
    this.watch<V1Pod>("/api/v1/pods", () => core.listPodForAllNamespaces({ labelSelector: APP_ID_LABEL }), (p) => this.putPod(p), (p) => this.dropPod(p));
  }

  private watch<T extends KubernetesObject>(path: string, list: () => Promise<{ items: T[] }>, put: (o: T) => void, drop: (o: T) => void): void {
    const informer = makeInformer<T>(kubeConfig(), path, list as never, APP_ID_LABEL);
    let first = true;
    informer.on("add", put);
    informer.on("update", put);
    informer.on("delete", drop);
    informer.on("connect", () => {
      for (const o of informer.list()) put(o);
      if (first) {
        first = false;
        if (++this.syncedParts === 2) this.waiters.splice(0).forEach((w) => w());
      }
    });
    const restart = (err: unknown) => {
      if (this.stopped) return;
      console.error(`[devbox] app watch ${path} failed, restarting in 3 s:`, err instanceof Error ? err.message : err);
      setTimeout(() => void informer.start().catch(restart), 3000);
    };
    informer.on("error", restart);
    informer.start().catch(restart);
    this.stops.push(() => informer.stop());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.stops.map((s) => s()));
  }

  get isSynced(): boolean {
    return this.syncedParts >= 2;
  }

  /** Every app Deployment in the cache: app id, namespace, name. */
  deployments(): { appId: string; namespace: string; name: string }[] {
    return [...this.deploymentsById].map(([appId, d]) => ({ appId, namespace: d.metadata!.namespace!, name: d.metadata!.name! }));
  }

  ready(): Promise<void> {
    return this.syncedParts >= 2 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }

  deploymentOf(appId: string): V1Deployment | undefined {
    return this.deploymentsById.get(appId);
  }

  podsOf(appId: string): V1Pod[] {
    return [...(this.pods.get(appId)?.values() ?? [])];
  }

  private putDeployment(d: V1Deployment): void {
    const id = d.metadata?.labels?.[APP_ID_LABEL];
    if (!id) return;
    this.deploymentsById.set(id, d);
    this.emit("change", id);
  }

  private dropDeployment(d: V1Deployment): void {
    const id = d.metadata?.labels?.[APP_ID_LABEL];
    if (!id) return;
    this.deploymentsById.delete(id);
    this.emit("change", id);
  }

  private putPod(p: V1Pod): void {
    const id = p.metadata?.labels?.[APP_ID_LABEL];
    if (!id) return;
    let m = this.pods.get(id);
    if (!m) this.pods.set(id, (m = new Map()));
    m.set(p.metadata!.name!, p);
    this.emit("change", id);
  }

  private dropPod(p: V1Pod): void {
    const id = p.metadata?.labels?.[APP_ID_LABEL];
    if (!id) return;
    const m = this.pods.get(id);
    m?.delete(p.metadata!.name!);
    if (m?.size === 0) this.pods.delete(id);
    this.emit("change", id);
  }
}

const key = Symbol.for("devbox.appCache");
type G = typeof globalThis & { [key]?: AppCache };

/** The process-wide cache, started on first use. */
export function appCache(): AppCache {
  const g = globalThis as G;
  if (!g[key]) {
    g[key] = new AppCache();
    g[key].setMaxListeners(0);
    if (process.env.DEVBOX_APP_CACHE !== "manual") g[key].start();
  }
  return g[key];
}

/** Stops the process-wide cache (reconciler shutdown); the next appCache() starts a fresh one. */
export async function stopAppCache(): Promise<void> {
  const g = globalThis as G;
  const c = g[key];
  delete g[key];
  await c?.stop();
}
