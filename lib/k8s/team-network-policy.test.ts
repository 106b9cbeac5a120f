import { describe, expect, it } from "vitest";
import { dashboardProxyIngressPeers, LINK_LOCAL_CIDR, TEAM_EGRESS_POLICY, TEAM_INGRESS_POLICY, minimalCidrs, teamNetworkPolicies } from "./team-network-policy";

describe("team network policies", () => {
  const [ingress, egress] = teamNetworkPolicies({
    podCidrs: ["10.88.0.0/16"],
    nodeAddresses: ["192.0.2.2", "10.88.0.1", "172.17.0.1", "192.0.2.2"],
    apiserverAddresses: ["10.96.0.1"],
  });

  it("ingress: only the namespace's own pods", () => {
    expect(ingress.metadata?.name).toBe(TEAM_INGRESS_POLICY);
    expect(ingress.spec?.policyTypes).toEqual(["Ingress"]);
    expect(ingress.spec?.ingress).toEqual([{ _from: [{ podSelector: {} }] }]);
  });

  it("egress: own pods, DNS, and the world except pods, node, apiserver, link-local", () => {
    expect(egress.metadata?.name).toBe(TEAM_EGRESS_POLICY);
    expect(egress.spec?.policyTypes).toEqual(["Egress"]);
    const rules = egress.spec!.egress!;
    expect(rules[0]).toEqual({ to: [{ podSelector: {} }] });
    expect(rules[1].to).toBeUndefined();
    expect(rules[1].ports).toEqual([
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ]);
    // the bridge gateway is inside the pod CIDR; the duplicate node address once
    expect(rules[2].to).toEqual([{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.88.0.0/16", "10.96.0.1/32", "169.254.0.0/16", "172.17.0.1/32", "192.0.2.2/32"] } }]);
    expect(rules[2].to![0].ipBlock!.except).toContain(LINK_LOCAL_CIDR);
  });

  it("minimalCidrs canonicalises, dedupes and drops CIDRs inside others", () => {
    expect(minimalCidrs(["10.88.3.7/16", "10.88.0.0/16", "10.88.0.1/32", "169.254.169.254/32", "169.254.0.0/16", "fe80::1/128", "bogus"])).toEqual([
      "10.88.0.0/16",
      "169.254.0.0/16",
    ]);
  });
});

describe("the preview proxy's way in", () => {
  it("admits only the dashboard's pods of the configured namespace, nothing by default", () => {
    expect(dashboardProxyIngressPeers({})).toEqual([]);
    expect(dashboardProxyIngressPeers({ DEVBOX_PROXY_NAMESPACE: "devbox-system" })).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "devbox-system" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "devbox-dashboard" } } },
    ]);
  });
});

