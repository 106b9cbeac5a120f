import os from "node:os";
import { CoreV1Api, NetworkingV1Api, type V1NetworkPolicy, type V1NetworkPolicyPeer } from "@kubernetes/client-node";
import { kubeConfig } from "./config";
import { isAlreadyExists } from "./errors";
import { localAddressesAreNodeAddresses } from "@/lib/deploy/in-cluster";
import { MANAGED_BY } from "./labels";

export const TEAM_INGRESS_POLICY = "team-ingress";
export const TEAM_EGRESS_POLICY = "team-egress";

/** Link-local: the cloud metadata address 169.254.169.254 and its neighbours (ECS credentials, …). */
export const LINK_LOCAL_CIDR = "169.254.0.0/16";

/**
 * The peers besides the team's own pods that may open connections to a team's pods: the
 * dashboard's preview proxy (server/preview.ts). On the bundled cluster the dashboard runs on the
 * node, and the enforcer always admits traffic from the node's own addresses (kubelet probes), so
 * nothing is needed (test/integration/preview-proxy.test.ts reaches a devbox port that way). When
 * the dashboard runs in a Pod, DEVBOX_PROXY_NAMESPACE names its namespace and its pods are
 * admitted (selected by DEVBOX_PROXY_POD_LABEL, default app.kubernetes.io/name=devbox-dashboard).
 * Other teams stay out: the peer is the dashboard's pods only, never a team namespace.
 */
export function dashboardProxyIngressPeers(env: Record<string, string | undefined> = process.env): V1NetworkPolicyPeer[] {
  const ns = env.DEVBOX_PROXY_NAMESPACE?.trim();
  if (!ns) return [];
  const [key, value] = (env.DEVBOX_PROXY_POD_LABEL ?? "app.kubernetes.io/name=devbox-dashboard").split("=");
  return [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } }, podSelector: { matchLabels: { [key]: value ?? "" } } }];
}

export interface EgressDenyInputs {
  podCidrs: string[];
  /** Every address of the node(s): agent, kubelet, apiserver, anything on the host. */
  nodeAddresses: string[];
  /** The apiserver as pods could reach it: the `kubernetes` Service IP, a non-local server address. */
  apiserverAddresses: string[];
}

/**
 * A team namespace's policies: ingress only from its own pods (+ the proxy hook); egress to its
 * own pods, DNS (53) anywhere, and IPv4 anywhere EXCEPT other pods, the node, the apiserver and
 * link-local metadata. IPv6 egress is not allowed at all (the bundled cluster is IPv4 only).
 */
export function teamNetworkPolicies(inputs: EgressDenyInputs): V1NetworkPolicy[] {
  const except = minimalCidrs([
    ...inputs.podCidrs,
    ...inputs.nodeAddresses.map(hostCidr),
    ...inputs.apiserverAddresses.map(hostCidr),
    LINK_LOCAL_CIDR,
  ]);
  const meta = (name: string) => ({ name, labels: { ...MANAGED_BY } });
  return [
    {
      metadata: meta(TEAM_INGRESS_POLICY),
      spec: {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [{ _from: [{ podSelector: {} }, ...dashboardProxyIngressPeers()] }],
      },
    },
    {
      metadata: meta(TEAM_EGRESS_POLICY),
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          { to: [{ podSelector: {} }] },
          // DNS: the node's resolvers today, a cluster DNS later
          { ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
          { to: [{ ipBlock: { cidr: "0.0.0.0/0", except } }] },
        ],
      },
    },
  ];
}

/** What the policies must keep pods away from, as seen from the dashboard. */
export async function egressDenyInputs(): Promise<EgressDenyInputs> {
  const podCidrs = new Set([process.env.DEVBOX_POD_CIDR ?? "10.88.0.0/16"]);
  const nodeAddresses = new Set<string>();
  const nodes = await kubeConfig().makeApiClient(CoreV1Api).listNode();
  for (const n of nodes.items) {
    for (const c of n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])) if (isIPv4Cidr(c)) podCidrs.add(c);
    for (const a of n.status?.addresses ?? []) if (isIPv4(a.address)) nodeAddresses.add(a.address);
  }
  // The bundled cluster: the dashboard runs on the node, so every address of this host is one of the
  // node's (docker0, a second NIC, …), not only the InternalIP the kubelet reports. Not in a Pod.
  if (localAddressesAreNodeAddresses()) {
    for (const list of Object.values(os.networkInterfaces()))
      for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) nodeAddresses.add(a.address);
  }
  const apiserverAddresses = [firstServiceIP(process.env.DEVBOX_SERVICE_CIDR ?? "10.96.0.0/16")];
  const server = kubeConfig().getCurrentCluster()?.server;
  if (server) {
    const host = new URL(server).hostname;
    if (isIPv4(host) && !host.startsWith("127.")) apiserverAddresses.push(host);
  }
  return { podCidrs: [...podCidrs], nodeAddresses: [...nodeAddresses], apiserverAddresses };
}

/** Creates or replaces the team's policies (idempotent; also brings old namespaces up to date). */
export async function applyTeamNetworkPolicies(namespace: string, inputs?: EgressDenyInputs): Promise<void> {
  const net = kubeConfig().makeApiClient(NetworkingV1Api);
  for (const body of teamNetworkPolicies(inputs ?? (await egressDenyInputs()))) {
    try {
      await net.createNamespacedNetworkPolicy({ namespace, body });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      await net.replaceNamespacedNetworkPolicy({ name: body.metadata!.name!, namespace, body });
    }
  }
}

// ---- IPv4 helpers -------------------------------------------------------------

function isIPv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIPv4Cidr(s: string): boolean {
  const [ip, len] = s.split("/");
  return isIPv4(ip) && /^\d{1,2}$/.test(len ?? "") && Number(len) <= 32;
}

const toInt = (ip: string) => ip.split(".").reduce((n, p) => n * 256 + Number(p), 0);
const fromInt = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
const hostCidr = (ip: string) => `${ip}/32`;

function firstServiceIP(cidr: string): string {
  const [ip, len] = cidr.split("/");
  const base = toInt(ip) - (toInt(ip) % 2 ** (32 - Number(len)));
  return fromInt(base + 1);
}

function range(cidr: string): [number, number] {
  const [ip, len] = cidr.split("/");
  const size = 2 ** (32 - Number(len));
  const start = toInt(ip) - (toInt(ip) % size);
  return [start, start + size - 1];
}

/** Canonical, sorted, without duplicates or CIDRs inside another (the API wants clean excepts). */
export function minimalCidrs(cidrs: string[]): string[] {
  const canon = [...new Set(cidrs.filter(isIPv4Cidr).map((c) => `${fromInt(range(c)[0])}/${c.split("/")[1]}`))];
  const kept = canon.filter((c) => {
    const [s, e] = range(c);
    return !canon.some((o) => o !== c && range(o)[0] <= s && range(o)[1] >= e);
  });
  return kept.sort((a, b) => range(a)[0] - range(b)[0]);
}
