import { describe, expect, it } from "vitest";
import type { App } from "@/db/schema/apps";
import type { Release } from "@/db/schema/releases";
import { DEVBOX_ID_LABEL } from "@/lib/devboxes/k8s-objects";
import { APP_ID_LABEL, buildAppService, buildDeployment } from "./k8s-objects";

const app = { id: "a1", teamId: "t1", name: "site", devboxId: "d1", releaseId: "r1", replicas: 2, cpuMillis: 250, memoryMiB: 128, env: [], command: null, probePath: null } as unknown as App;
const rel = { id: "r1", devboxId: "d1", tag: "v1.", image: "127.0.0.1:5000/devbox-t/web/releases:v1.", digest: "sha256:abc", ports: [{ port: 8000, name: "http" }] } as unknown as Release;

describe("app objects", () => {
  it("run the release by digest, roll without dropping below the wanted replicas, probe the first port", () => {
    const d = buildDeployment(app, rel);
    const c = d.spec!.template.spec!.containers[0];
    expect(c.image).toBe("127.0.0.1:5000/devbox-t/web/releases@sha256:abc");
    expect(d.spec!.strategy!.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    expect(c.readinessProbe!.tcpSocket).toEqual({ port: 8000 });
    expect(buildDeployment({ ...app, probePath: "/healthz" }, rel).spec!.template.spec!.containers[0].readinessProbe!.httpGet).toEqual({ path: "/healthz", port: 8000 });
    expect(c.command).toBeUndefined();
    expect(buildDeployment({ ...app, command: ["node", "server.js"] }, rel).spec!.template.spec!.containers[0].command).toEqual(["/usr/bin/tini", "--", "node", "server.js"]);
  });

  it("never carry the devbox id label (a devbox's Service and the devbox Pod watch select by it); a tag that is no label value stays an annotation", () => {
    const d = buildDeployment(app, rel);
    for (const labels of [d.metadata!.labels!, d.spec!.template.metadata!.labels!]) {
      expect(labels).not.toHaveProperty(DEVBOX_ID_LABEL);
      expect(Object.values(labels)).not.toContain("v1.");
    }
    expect(d.spec!.selector.matchLabels).toEqual({ [APP_ID_LABEL]: "a1" });
    expect(buildAppService(app, rel)!.spec!.selector).toEqual({ [APP_ID_LABEL]: "a1" });
  });

  it("run as the image's non-root user without privilege escalation or a service-account token", () => {
    const s = buildDeployment(app, rel).spec!.template.spec!;
    expect(s.automountServiceAccountToken).toBe(false);
    expect(s.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(s.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } });
  });
});
