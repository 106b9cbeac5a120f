import { describe, expect, it } from "vitest";
import { LabelListError } from "@/lib/k8s/label-list";
import { devboxNodeSelector, parseNodeSelector } from "./node-placement";

describe("DEVBOX_NODE_SELECTOR", () => {
  it("unset or empty: any node", () => {
    expect(devboxNodeSelector({})).toBeUndefined();
    expect(parseNodeSelector(" , ")).toBeUndefined();
  });

  it("key=value pairs become the Pod's nodeSelector", () => {
    expect(devboxNodeSelector({ DEVBOX_NODE_SELECTOR: "kubernetes.io/hostname=devbox-node-2, disk=ssd" })).toEqual({
      "kubernetes.io/hostname": "devbox-node-2",
      disk: "ssd",
    });
    expect(parseNodeSelector("gpu=")).toEqual({ gpu: "" });
  });

  it("bad input is refused with a sentence naming the setting", () => {
    expect(() => parseNodeSelector("devbox-node-2")).toThrow(LabelListError);
    expect(() => parseNodeSelector("devbox-node-2")).toThrow(/DEVBOX_NODE_SELECTOR: "devbox-node-2" is not a Kubernetes label/);
    expect(() => parseNodeSelector("bad key=x")).toThrow(/"bad key=x" is not a Kubernetes label/);
    expect(() => parseNodeSelector("k=a b")).toThrow(/"k=a b" is not a Kubernetes label/);
  });
});
