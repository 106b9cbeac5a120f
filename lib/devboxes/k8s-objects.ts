import type { V1OwnerReference, V1Pod, V1Secret, V1Service } from "@kubernetes/client-node";
import type { Devbox } from "@/db/schema/devboxes";
import { MANAGED_BY, TEAM_LABEL } from "@/lib/k8s/labels";
import type { SshKeys } from "./ssh-keys";
import { MAIN_PROCESS_ARGS } from "./main-process";
import { devboxNodeSelector } from "./node-placement";

export const DEVBOX_ID_LABEL = "devbox.dev/devbox-id";
export const DEVBOX_NAME_LABEL = "devbox.dev/name";
export const GENERATION_LABEL = "devbox.dev/generation";
export const CONTAINER_NAME = "devbox";

export const podName = (d: Pick<Devbox, "name" | "podGeneration">) => `${d.name}-${d.podGeneration}`;
export const secretName = (d: Pick<Devbox, "name">) => `${d.name}-ssh`;
export const serviceName = (d: Pick<Devbox, "name">) => d.name;

export function devboxLabels(d: Devbox): Record<string, string> {
  return { ...MANAGED_BY, [TEAM_LABEL]: d.teamId, [DEVBOX_ID_LABEL]: d.id, [DEVBOX_NAME_LABEL]: d.name };
}

// Capabilities a dev container needs for sudo, apt and package post-install scripts; everything
// else (NET_RAW, MKNOD, SYS_*…) is dropped.
const CAPABILITIES = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "AUDIT_WRITE", "SETFCAP"];

/**
 * The Secret is the devbox's anchor object: the Pod and Service are owned by it, so deleting it
 * lets Kubernetes' garbage collector remove everything that is left.
 */
export function buildSecret(d: Devbox, keys: SshKeys): V1Secret {
  return {
    metadata: { name: secretName(d), labels: devboxLabels(d) },
    type: "Opaque",
    stringData: {
      ssh_host_ed25519_key: keys.hostPrivateKey,
      "ssh_host_ed25519_key.pub": keys.hostPublicKey,
      id_ed25519: keys.userPrivateKey,
      authorized_keys: keys.userPublicKey,
    },
  };
}

export function ownerRefTo(secret: V1Secret): V1OwnerReference {
  return { apiVersion: "v1", kind: "Secret", name: secret.metadata!.name!, uid: secret.metadata!.uid!, blockOwnerDeletion: true };
}

export function buildPod(d: Devbox, owner: V1OwnerReference): V1Pod {
  return {
    metadata: {
      name: podName(d),
      labels: { ...devboxLabels(d), [GENERATION_LABEL]: String(d.podGeneration) },
      ownerReferences: [owner],
    },
    spec: {
      hostname: d.name,
      nodeSelector: devboxNodeSelector(),
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      // Never restart in place: an exited container keeps its writable layer until the Pod is
      // deleted, which is what the snapshot step commits.
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 10,
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: CONTAINER_NAME,
          image: d.image,
          imagePullPolicy: "IfNotPresent",
          // Waits for the other processes on SIGTERM, so a graceful stop gives them their grace.
          args: MAIN_PROCESS_ARGS,
          workingDir: d.workingDir,
          env: [{ name: "DEVBOX_NAME", value: d.name }, ...d.env],
          ports: d.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: "TCP" })),
          resources: {
            limits: { cpu: `${d.cpuMillis}m`, memory: `${d.memoryMiB}Mi`, "ephemeral-storage": `${d.diskMiB}Mi` },
            // Requests below limits: devboxes idle most of the time, so the node can pack more.
            requests: { cpu: `${Math.ceil(d.cpuMillis / 4)}m`, memory: `${Math.ceil(d.memoryMiB / 2)}Mi`, "ephemeral-storage": `${Math.ceil(d.diskMiB / 4)}Mi` },
          },
          securityContext: {
            // sudo is setuid: privilege escalation must stay possible inside the container.
            allowPrivilegeEscalation: true,
            privileged: false,
            capabilities: { drop: ["ALL"], add: CAPABILITIES },
          },
          volumeMounts: [{ name: "ssh-keys", mountPath: "/etc/devbox/ssh", readOnly: true }],
        },
      ],
      volumes: [{ name: "ssh-keys", secret: { secretName: secretName(d), defaultMode: 0o400 } }],
    },
  };
}

export function buildService(d: Devbox, owner: V1OwnerReference): V1Service | null {
  if (d.ports.length === 0) return null;
  return {
    metadata: { name: serviceName(d), labels: devboxLabels(d), ownerReferences: [owner] },
    spec: {
      type: "ClusterIP",
      selector: { [DEVBOX_ID_LABEL]: d.id },
      ports: d.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: "TCP" })),
    },
  };
}
