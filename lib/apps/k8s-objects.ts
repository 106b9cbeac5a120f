import { createHash } from "node:crypto";
import type { V1Deployment, V1Service } from "@kubernetes/client-node";
import type { App } from "@/db/schema/apps";
import type { Release } from "@/db/schema/releases";
import { MANAGED_BY, TEAM_LABEL } from "@/lib/k8s/labels";
import { TINI } from "@/lib/releases/image";

// Apps carry their own labels, never devbox.dev/devbox-id: a devbox's Service and the devbox Pod
// watch select by that one, and must not pick up app Pods.
export const APP_ID_LABEL = "devbox.dev/app-id";
export const APP_NAME_LABEL = "devbox.dev/app";
export const APP_DEVBOX_LABEL = "devbox.dev/source-devbox";
export const APP_RELEASE_LABEL = "devbox.dev/release-id";
export const RELEASE_TAG_ANNOTATION = "devbox.dev/release-tag";
/** Hash of the Deployment the dashboard last applied: the reconciler re-applies when it differs. */
export const SPEC_HASH_ANNOTATION = "devbox.dev/spec-hash";
export const APP_CONTAINER = "app";

/** The Deployment is named after the app; the Service `app-<name>` (devbox Services take the devbox's name). */
export const deploymentName = (a: Pick<App, "name">) => a.name;
export const appServiceName = (a: Pick<App, "name">) => `app-${a.name}`;

export function appLabels(a: App, r: Release): Record<string, string> {
  return { ...MANAGED_BY, [TEAM_LABEL]: a.teamId, [APP_ID_LABEL]: a.id, [APP_NAME_LABEL]: a.name, [APP_DEVBOX_LABEL]: r.devboxId, [APP_RELEASE_LABEL]: r.id };
}

/** The image by digest: a release is immutable, and so is what its Pods run. */
export function releaseImageByDigest(r: Release): string {
  const image = r.image!;
  const colon = image.lastIndexOf(":");
  return `${image.slice(0, colon)}@${r.digest}`;
}

/**
 * Rolling updates never drop below the wanted replicas (maxUnavailable 0) and a Pod leaving keeps
 * serving a few seconds (preStop) while the endpoints forget it: no failed request during an update.
 * Security as for devbox Pods, tighter where an app does not need more: no service-account token,
 * RuntimeDefault seccomp, the image's non-root user, no privilege escalation, all capabilities
 * dropped but binding low ports.
 */
export function buildDeployment(a: App, r: Release): V1Deployment {
  const d = deploymentBody(a, r);
  d.metadata!.annotations![SPEC_HASH_ANNOTATION] = createHash("sha256").update(JSON.stringify(d)).digest("hex").slice(0, 16);
  return d;
}

function deploymentBody(a: App, r: Release): V1Deployment {
  const labels = appLabels(a, r);
  const first = r.ports[0];
  const probeHandler = first ? (a.probePath ? { httpGet: { path: a.probePath, port: first.port } } : { tcpSocket: { port: first.port } }) : undefined;
  return {
    metadata: { name: deploymentName(a), labels, annotations: { [RELEASE_TAG_ANNOTATION]: r.tag } },
    spec: {
      replicas: a.replicas,
      selector: { matchLabels: { [APP_ID_LABEL]: a.id } },
      revisionHistoryLimit: 5,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels, annotations: { [RELEASE_TAG_ANNOTATION]: r.tag } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: { seccompProfile: { type: "RuntimeDefault" }, runAsNonRoot: true },
          containers: [
            {
              name: APP_CONTAINER,
              image: releaseImageByDigest(r),
              imagePullPolicy: "IfNotPresent",
              ...(a.command ? { command: [...TINI, ...a.command], args: [] } : {}),
              env: a.env,
              ports: r.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: "TCP" })),
              resources: {
                limits: { cpu: `${a.cpuMillis}m`, memory: `${a.memoryMiB}Mi`, "ephemeral-storage": "1Gi" },
                requests: { cpu: `${Math.ceil(a.cpuMillis / 4)}m`, memory: `${Math.ceil(a.memoryMiB / 2)}Mi`, "ephemeral-storage": "128Mi" },
              },
              // Not Ready in the first 3 s: the NetworkPolicy enforcer lets other pods reach a new
              // pod only once it has synced its IP (up to ~1 s, cluster/README.md "Known gap"), while
              // the kubelet's probe from the node passes at once; measured: requests from a team pod
              // to a just-Ready replica failed for ~0.6 s without the delay.
              ...(probeHandler ? { readinessProbe: { ...probeHandler, initialDelaySeconds: 3, periodSeconds: 2, failureThreshold: 2, timeoutSeconds: 2 } } : {}),
              lifecycle: { preStop: { exec: { command: ["/bin/sleep", "10"] } } },
              securityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } },
            },
          ],
        },
      },
    },
  };
}

export function buildAppService(a: App, r: Release): V1Service | null {
  if (r.ports.length === 0) return null;
  return {
    metadata: { name: appServiceName(a), labels: { ...MANAGED_BY, [TEAM_LABEL]: a.teamId, [APP_ID_LABEL]: a.id, [APP_NAME_LABEL]: a.name } },
    spec: {
      type: "ClusterIP",
      selector: { [APP_ID_LABEL]: a.id },
      ports: r.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: "TCP" })),
    },
  };
}
