import fs from "node:fs";

/**
 * What the dashboard must be told when it runs in a Pod (deploy/): the defaults that suit the
 * bundled cluster, where it runs on the node, point at the Pod itself there. Checked once at
 * start (server.ts), so a wrong install fails with a sentence instead of a dashboard that cannot
 * reach its registry or is unreachable behind its Service.
 */

export const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

type Env = Record<string, string | undefined>;

/** Kubernetes sets KUBERNETES_SERVICE_HOST in every container of a Pod. */
export const runningInPod = (env: Env = process.env) => !!env.KUBERNETES_SERVICE_HOST;

const isLoopbackHost = (host: string) => /^(127\.|localhost$|\[?::1\]?$)/.test(host);
const hostOf = (hostPort: string) => hostPort.replace(/:\d+$/, "");

/** Each line names a setting and why; empty when the configuration can work (or not in a Pod). */
export function inClusterConfigProblems(env: Env = process.env, exists: (p: string) => boolean = fs.existsSync): string[] {
  if (!runningInPod(env)) return [];
  const problems: string[] = [];
  if (!env.KUBECONFIG && !exists(SERVICE_ACCOUNT_TOKEN))
    problems.push(
      `no service account token at ${SERVICE_ACCOUNT_TOKEN}: the Pod needs automountServiceAccountToken: true and the devbox-dashboard ServiceAccount (deploy/base), or KUBECONFIG`,
    );
  const host = env.HOST ?? "127.0.0.1";
  if (isLoopbackHost(host)) problems.push(`HOST=${host} listens on the Pod's loopback only: its Service cannot reach it; set HOST=0.0.0.0`);
  if (!env.NEXTAUTH_URL) problems.push("NEXTAUTH_URL is not set: the dashboard answers only its public URL (Host and Origin checks); set it to the address users open");
  // DEVBOX_REGISTRY is what the nodes pull from (image references); the dashboard itself calls
  // the registry's API at DEVBOX_REGISTRY_URL. A loopback address there is the Pod itself.
  const registry = env.DEVBOX_REGISTRY ?? "127.0.0.1:5000";
  if (!env.DEVBOX_REGISTRY_URL && isLoopbackHost(hostOf(registry)))
    problems.push(
      `DEVBOX_REGISTRY=${registry} is what the nodes pull from; from this Pod it is the Pod itself: set DEVBOX_REGISTRY_URL to the registry's in-cluster URL (e.g. http://devbox-registry:5000)`,
    );
  const gcMinutes = Number(env.DEVBOX_REGISTRY_GC_INTERVAL_MIN ?? 60);
  if (gcMinutes > 0 && !env.DEVBOX_REGISTRY_GC_COMMAND)
    problems.push(
      "registry garbage collection runs the bundled cluster's script, which a Pod does not have: set DEVBOX_REGISTRY_GC_COMMAND, or DEVBOX_REGISTRY_GC_INTERVAL_MIN=0",
    );
  return problems;
}

/**
 * Whether this host's own network addresses are node addresses (kept out of the team egress
 * policies): yes on the bundled cluster, where the dashboard runs on the node; in a Pod they are
 * the Pod's. DEVBOX_EGRESS_LOCAL_ADDRESSES (1/0) decides when set.
 */
export function localAddressesAreNodeAddresses(env: Env = process.env): boolean {
  if (env.DEVBOX_EGRESS_LOCAL_ADDRESSES !== undefined && env.DEVBOX_EGRESS_LOCAL_ADDRESSES !== "") return env.DEVBOX_EGRESS_LOCAL_ADDRESSES !== "0";
  return !runningInPod(env);
}
