import { describe, expect, it } from "vitest";
import { combineReadings, cpuMemoryFromPodMetrics } from "./metrics-api";
import type { PodReading } from "./source";

describe("cpuMemoryFromPodMetrics", () => {
  it("sums the containers' CPU (nanocores) and memory (working set)", () => {
    expect(
      cpuMemoryFromPodMetrics({
        metadata: { name: "box-1", namespace: "devbox-t" },
        timestamp: "2026-12-06T10:00:00Z",
        containers: [
          { name: "devbox", usage: { cpu: "250000000n", memory: "300Mi" } },
          { name: "sidecar", usage: { cpu: "5m", memory: "1024Ki" } },
        ],
      }),
    ).toEqual({ at: new Date("2026-12-06T10:00:00Z"), cpuMillis: 255, memoryBytes: 301 * 2 ** 20 });
  });
});

describe("combineReadings", () => {
  const at = new Date("2026-12-06T10:00:00Z");
  const kubeletAt = new Date("2026-12-06T10:00:07Z");
  const pods = [
    { namespace: "n", name: "a-1", uid: "ua", nodeName: "node" },
    { namespace: "n", name: "b-1", uid: "ub", nodeName: "node" },
    { namespace: "n", name: "c-1", uid: "uc", nodeName: "node" },
  ];
  const kubelet: PodReading[] = [
    { namespace: "n", name: "a-1", uid: "ua", at: kubeletAt, cpuMillis: 999, cpuNanoSeconds: 5e9, memoryBytes: 999, diskBytes: 4096, rxBytes: 10, txBytes: 20 },
    { namespace: "n", name: "c-1", uid: "uc", at: kubeletAt, cpuMillis: 999, memoryBytes: 999, diskBytes: 1 },
  ];

  it("CPU and memory from the Metrics API, disk and network from the kubelet; no Metrics API figure, no reading", () => {
    const metrics = new Map([
      ["n/a-1", { at, cpuMillis: 120, memoryBytes: 300 }],
      ["n/b-1", { at, cpuMillis: 7, memoryBytes: 50 }],
    ]);
    expect(combineReadings(pods, metrics, kubelet)).toEqual([
      // never the kubelet's CPU counter: the sampler would prefer it to the Metrics API's figure
      { namespace: "n", name: "a-1", uid: "ua", at: kubeletAt, cpuMillis: 120, memoryBytes: 300, diskBytes: 4096, rxBytes: 10, txBytes: 20 },
      // the kubelet could not be read for it: disk 0, no network
      { namespace: "n", name: "b-1", uid: "ub", at, cpuMillis: 7, memoryBytes: 50, diskBytes: 0, rxBytes: undefined, txBytes: undefined },
    ]);
  });

  it("matches the kubelet's reading by uid, not by name (a Pod of the same name replaced)", () => {
    const metrics = new Map([["n/a-1", { at, cpuMillis: 1, memoryBytes: 2 }]]);
    const [r] = combineReadings([{ ...pods[0], uid: "new" }], metrics, kubelet);
    expect(r).toMatchObject({ uid: "new", diskBytes: 0, at });
  });
});
