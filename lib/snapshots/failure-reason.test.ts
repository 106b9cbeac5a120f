import { describe, expect, it, vi } from "vitest";
import { AgentError } from "./agent-client";
import { snapshotFailureReason } from "./failure-reason";
import { RegistryError } from "./registry";

describe("snapshotFailureReason", () => {
  it("keeps the plain message and logs the detail", () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const reason = snapshotFailureReason(new AgentError("The node agent is unreachable.", { detail: "http://10.0.2.15:7070/commit: ECONNREFUSED" }), "devbox-a/web");
    expect(reason).toBe("The node agent is unreachable.");
    expect(String(log.mock.calls[0])).toContain("10.0.2.15:7070");
    expect(snapshotFailureReason(new RegistryError("The image registry is unreachable.", undefined, "http://127.0.0.1:5000"), "x")).not.toContain("127.0.0.1");
    log.mockRestore();
  });

  it("never shows an unknown error's text", () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const reason = snapshotFailureReason(new Error('secrets "devbox-agent-token" is forbidden at /var/lib/devbox 10.0.2.15:6443'), "x");
    for (const leak of ["devbox-agent-token", "/var/lib", "10.0.2.15"]) expect(reason).not.toContain(leak);
    log.mockRestore();
  });
});
