import { describe, expect, it } from "vitest";
import { withoutInfrastructure } from "./scrub";

describe("withoutInfrastructure", () => {
  it("removes node and registry addresses, host paths and Secret names", () => {
    const s = withoutInfrastructure(
      'Failed to pull image "10.0.2.15:5000/devbox-a/web:s-1": rpc error: dial tcp 10.0.2.15:5000: connect: connection refused; ' +
        'MountVolume.SetUp failed for volume "ssh" : secret "web-ssh" not found; open /var/lib/containerd/io.containerd/x: no such file; ' +
        "Get http://node-1.internal:10250/healthz; listen [fe80::1]:7070",
    );
    for (const leak of ["10.0.2.15", "5000", "web-ssh", "/var/lib", "node-1.internal", "10250", "fe80", "7070"]) expect(s).not.toContain(leak);
    expect(s).toContain("secret not found");
    expect(s).toContain("[address]");
  });

  it("leaves plain words alone", () => {
    expect(withoutInfrastructure("0/1 nodes are available: 1 Insufficient memory.")).toBe("0/1 nodes are available: 1 Insufficient memory.");
    expect(withoutInfrastructure("Back-off restarting failed container devbox in pod web-2_devbox-a(1a2b)")).toContain("web-2");
  });
});
