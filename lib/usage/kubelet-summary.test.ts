import { describe, expect, it } from "vitest";
import { readingsFromSummary } from "./kubelet-summary";

describe("readingsFromSummary", () => {
  it("reads CPU, working set, ephemeral storage and network counters per Pod", () => {
    const [r] = readingsFromSummary({
      pods: [
        {
          podRef: { name: "box-1", namespace: "devbox-t", uid: "u1" },
          cpu: { time: "2026-12-06T10:00:00Z", usageNanoCores: 250_000_000, usageCoreNanoSeconds: 9e9 },
          memory: { workingSetBytes: 300 },
          network: { rxBytes: 10, txBytes: 20 },
          containers: [{ rootfs: { usedBytes: 100 }, logs: { usedBytes: 5 } }],
          "ephemeral-storage": { usedBytes: 4096 },
        },
      ],
    });
    expect(r).toEqual({ namespace: "devbox-t", name: "box-1", uid: "u1", at: new Date("2026-12-06T10:00:00Z"), cpuMillis: 250, cpuNanoSeconds: 9e9, memoryBytes: 300, diskBytes: 4096, rxBytes: 10, txBytes: 20 });
  });

  it("falls back to the containers' rootfs and logs, and to per-interface counters; a Pod not measured yet gives no reading", () => {
    const fallback = new Date("2026-12-06T11:00:00Z");
    const readings = readingsFromSummary(
      {
        pods: [
          {
            podRef: { name: "a", namespace: "n", uid: "ua" },
            memory: { workingSetBytes: 1 },
            network: { interfaces: [{ rxBytes: 1, txBytes: 2 }, { rxBytes: 3, txBytes: 4 }] },
            containers: [{ rootfs: { usedBytes: 100 }, logs: { usedBytes: 5 } }, { rootfs: { usedBytes: 1 } }],
          },
          { podRef: { name: "b", namespace: "n", uid: "ub" } },
        ],
      },
      fallback,
    );
    expect(readings).toHaveLength(1);
    expect(readings[0]).toMatchObject({ name: "a", cpuMillis: 0, memoryBytes: 1, diskBytes: 106, rxBytes: 4, txBytes: 6, at: fallback });
  });
});
