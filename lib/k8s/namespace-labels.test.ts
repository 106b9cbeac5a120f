import { describe, expect, it } from "vitest";
import { parseNamespaceLabels } from "./namespace-labels";

describe("DEVBOX_NAMESPACE_LABELS", () => {
  it("parses key=value pairs, with prefixed keys and empty values", () => {
    expect(parseNamespaceLabels(" devbox.dev/test-run=true, cost-center=dev ,empty=")).toEqual({ "devbox.dev/test-run": "true", "cost-center": "dev", empty: "" });
    expect(parseNamespaceLabels(undefined)).toEqual({});
    expect(parseNamespaceLabels("")).toEqual({});
  });

  it("refuses what Kubernetes would refuse, naming the bad part", () => {
    expect(() => parseNamespaceLabels("novalue")).toThrow(/"novalue" is not a Kubernetes label/);
    expect(() => parseNamespaceLabels("a=b c")).toThrow(/"a=b c"/);
    expect(() => parseNamespaceLabels("-bad=x")).toThrow(/not a Kubernetes label/);
    expect(() => parseNamespaceLabels(`k=${"v".repeat(64)}`)).toThrow(/not a Kubernetes label/);
  });

  it("never lets an operator override the labels the dashboard relies on", () => {
    expect(() => parseNamespaceLabels("devbox.dev/team=x")).toThrow(/set by the dashboard itself/);
    expect(() => parseNamespaceLabels("app.kubernetes.io/managed-by=me")).toThrow(/set by the dashboard itself/);
    expect(() => parseNamespaceLabels("pod-security.kubernetes.io/enforce=privileged")).toThrow(/set by the dashboard itself/);
  });
});
