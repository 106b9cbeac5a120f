import { VersionApi } from "@kubernetes/client-node";
import { kubeConfig } from "./config";

export interface ClusterHealth {
  reachable: boolean;
  version?: string;
  error?: string;
  checkedAt: number;
}

const TTL_MS = 10_000;
const globalKey = Symbol.for("devbox.clusterHealth");
type GlobalWithHealth = typeof globalThis & { [globalKey]?: { value?: ClusterHealth; pending?: Promise<ClusterHealth> } };

/** Is Kubernetes reachable? Cached for a few seconds so page renders do not each ask. */
export async function clusterHealth(): Promise<ClusterHealth> {
  const g = globalThis as GlobalWithHealth;
  const cache = (g[globalKey] ??= {});
  if (cache.value && Date.now() - cache.value.checkedAt < TTL_MS) return cache.value;
  cache.pending ??= probe().then((v) => {
    cache.value = v;
    cache.pending = undefined;
    return v;
  });
  return cache.pending;
}

async function probe(): Promise<ClusterHealth> {
  const checkedAt = Date.now();
  try {
    const api = kubeConfig().makeApiClient(VersionApi);
    const v = await Promise.race([
      api.getCode(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timed out after 3 s")), 3000)),
    ]);
    return { reachable: true, version: v.gitVersion, checkedAt };
  } catch (err) {
    return { reachable: false, error: err instanceof Error ? err.message : String(err), checkedAt };
  }
}
