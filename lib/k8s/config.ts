import fs from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { runningInPod, SERVICE_ACCOUNT_TOKEN } from "@/lib/deploy/in-cluster";

export const BUNDLED_CLUSTER_DIR = process.env.DEVBOX_CLUSTER_DIR ?? "/var/lib/devbox-cluster";
export const BUNDLED_DASHBOARD_KUBECONFIG = `${BUNDLED_CLUSTER_DIR}/kubeconfig/dashboard.kubeconfig`;

/**
 * Where the dashboard's Kubernetes identity comes from, in order: KUBECONFIG, the in-cluster
 * service account, the bundled cluster's dashboard kubeconfig.
 */
export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  if (process.env.KUBECONFIG) {
    kc.loadFromFile(process.env.KUBECONFIG);
  } else if (runningInPod()) {
    if (!fs.existsSync(SERVICE_ACCOUNT_TOKEN))
      throw new Error(`Running in a Pod without a service account token (${SERVICE_ACCOUNT_TOKEN}): give the Pod the devbox-dashboard ServiceAccount with automountServiceAccountToken: true, or set KUBECONFIG.`);
    kc.loadFromCluster();
  } else if (fs.existsSync(BUNDLED_DASHBOARD_KUBECONFIG)) {
    kc.loadFromFile(BUNDLED_DASHBOARD_KUBECONFIG);
  } else {
    throw new Error(
      `No Kubernetes configuration: set KUBECONFIG or run 'npm run cluster -- up' (expected ${BUNDLED_DASHBOARD_KUBECONFIG}).`,
    );
  }
  return kc;
}

const globalKey = Symbol.for("devbox.kubeconfig");
type GlobalWithKc = typeof globalThis & { [globalKey]?: KubeConfig };

/** The process-wide KubeConfig (shared by server.ts and the Next.js bundles). */
export function kubeConfig(): KubeConfig {
  const g = globalThis as GlobalWithKc;
  g[globalKey] ??= loadKubeConfig();
  return g[globalKey];
}
