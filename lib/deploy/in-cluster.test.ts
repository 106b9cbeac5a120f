import { describe, expect, it } from "vitest";
import { inClusterConfigProblems, localAddressesAreNodeAddresses, SERVICE_ACCOUNT_TOKEN } from "./in-cluster";

const pod = { KUBERNETES_SERVICE_HOST: "10.96.0.1" };
// what deploy/base/dashboard.yaml sets
const installed = {
  ...pod,
  HOST: "0.0.0.0",
  NEXTAUTH_URL: "https://devbox.example.com",
  DEVBOX_REGISTRY: "127.0.0.1:5000",
  DEVBOX_REGISTRY_URL: "http://devbox-registry:5000",
  DEVBOX_REGISTRY_GC_INTERVAL_MIN: "0",
};
const tokenMounted = (p: string) => p === SERVICE_ACCOUNT_TOKEN;
const noToken = () => false;

describe("inClusterConfigProblems", () => {
  it("asks nothing outside a Pod (the bundled cluster's defaults apply)", () => {
    expect(inClusterConfigProblems({}, noToken)).toEqual([]);
  });

  it("accepts the configuration the manifests give", () => {
    expect(inClusterConfigProblems(installed, tokenMounted)).toEqual([]);
  });

  it("names every setting a Pod with the host defaults lacks", () => {
    const problems = inClusterConfigProblems(pod, noToken);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/service account token/);
    expect(problems[1]).toMatch(/^HOST=127\.0\.0\.1 .*HOST=0\.0\.0\.0/);
    expect(problems[2]).toMatch(/^NEXTAUTH_URL/);
    expect(problems[3]).toMatch(/^DEVBOX_REGISTRY=127\.0\.0\.1:5000 .*DEVBOX_REGISTRY_URL/);
    expect(problems[4]).toMatch(/DEVBOX_REGISTRY_GC_COMMAND, or DEVBOX_REGISTRY_GC_INTERVAL_MIN=0/);
  });

  it("takes KUBECONFIG instead of the token, and any registry URL or GC command", () => {
    expect(inClusterConfigProblems({ ...installed, KUBECONFIG: "/k" }, noToken)).toEqual([]);
    const gcByCommand = { ...installed, DEVBOX_REGISTRY_GC_INTERVAL_MIN: "60", DEVBOX_REGISTRY_GC_COMMAND: "/gc.sh" };
    expect(inClusterConfigProblems(gcByCommand, tokenMounted)).toEqual([]);
  });

  it("refuses loopback in every spelling, and accepts a registry the Pod can reach without a URL", () => {
    for (const HOST of ["localhost", "127.0.0.2", "::1"])
      expect(inClusterConfigProblems({ ...installed, HOST }, tokenMounted)).toEqual([expect.stringMatching(new RegExp(`^HOST=${HOST.replace(/\./g, "\\.")} `))]);
    const viaService = { ...installed, DEVBOX_REGISTRY: "registry.example.com:443", DEVBOX_REGISTRY_URL: undefined };
    expect(inClusterConfigProblems(viaService, tokenMounted)).toEqual([]);
    expect(inClusterConfigProblems({ ...viaService, DEVBOX_REGISTRY: "localhost:5000" }, tokenMounted)).toEqual([expect.stringMatching(/^DEVBOX_REGISTRY=localhost:5000/)]);
  });
});

describe("localAddressesAreNodeAddresses", () => {
  it("is yes on the node, no in a Pod, and the variable decides when set", () => {
    expect(localAddressesAreNodeAddresses({})).toBe(true);
    expect(localAddressesAreNodeAddresses(pod)).toBe(false);
    expect(localAddressesAreNodeAddresses({ ...pod, DEVBOX_EGRESS_LOCAL_ADDRESSES: "1" })).toBe(true);
    expect(localAddressesAreNodeAddresses({ DEVBOX_EGRESS_LOCAL_ADDRESSES: "0" })).toBe(false);
  });
});
