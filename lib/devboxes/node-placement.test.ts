import { describe, expect, it } from "vitest";
import { devboxNodeSelector, NodeSelectorError, parseNodeSelector } from "./node-placement";

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
    expect(() => parseNodeSelector("devbox-node-2")).toThrow(NodeSelectorError);
    expect(() => parseNodeSelector("devbox-node-2")).toThrow(/DEVBOX_NODE_SELECTOR: "devbox-node-2" is not key=value/);
    expect(() => parseNodeSelector("bad key=x")).toThrow(/is not a label key/);
    expect(() => parseNodeSelector("k=a b")).toThrow(/is not a label value/);
  });
});
