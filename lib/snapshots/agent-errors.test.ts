import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it, vi } from "vitest";
import { fromK8sError } from "@/lib/k8s/errors";
import { agentMerge, AgentError, type MergeRequest } from "./agent-client";

// Users read these messages (devbox page, API errors): node addresses stay in `detail`, for the log.
const merge: MergeRequest = { image: "x", ownLayers: 2, targetRepository: "t/x", targetTag: "m", requestId: "r" };

describe("agent and Kubernetes errors name no address, Secret or path", () => {
  it("an unreachable agent", async () => {
    process.env.DEVBOX_AGENT_TOKEN = "t";
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise((r) => srv.close(r));
    process.env.DEVBOX_AGENT_PORT = String(port);
    const err = (await agentMerge("127.0.0.1", merge).catch((e) => e)) as AgentError;
    expect(err).toBeInstanceOf(AgentError);
    expect(err.message).not.toMatch(/127\.0\.0\.1|:\d{2,5}\b/);
    expect(err.detail).toContain(`127.0.0.1:${port}`);
  });

  it("an agent that fails with a host path", async () => {
    const srv = createServer((_req, res) => res.writeHead(500).end(JSON.stringify({ phase: "error", error: "open /var/lib/containerd/x: no such file" }) + "\n"));
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    process.env.DEVBOX_AGENT_PORT = String((srv.address() as AddressInfo).port);
    const err = (await agentMerge("127.0.0.1", merge).catch((e) => e)) as AgentError;
    srv.close();
    expect(err.message).not.toContain("/var/lib");
    expect(err.detail).toContain("/var/lib/containerd");
  });

  it("a Kubernetes refusal", () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const e = fromK8sError(new ApiException(422, "", { message: 'Secret "web-ssh" is invalid: 10.0.2.15:6443 /var/lib/kubelet' }, {}), "create the devbox's Secret");
    expect(e.message).toBe("Kubernetes refused to create the devbox's Secret. The details are in the dashboard's log.");
    expect(String(log.mock.calls[0])).toContain("web-ssh");
    const quota = fromK8sError(new ApiException(403, "", { message: 'pods "web-1" is forbidden: exceeded quota: devbox-quota, requested: limits.memory=2Gi, used: limits.memory=15Gi, limited: limits.memory=16Gi' }, {}), "x");
    expect(quota.message).toBe("Team quota exceeded: requested: limits.memory=2Gi, used: limits.memory=15Gi, limited: limits.memory=16Gi");
    log.mockRestore();
  });
});
