import { Writable } from "node:stream";
import { AppsV1Api, Exec, setHeaderOptions, type V1Status } from "@kubernetes/client-node";
import { CONTAINER_NAME } from "@/lib/devboxes/k8s-objects";
import { AGENT_NAMESPACE, agentHealthy } from "@/lib/snapshots/agent-client";
import { admin, eventually } from "./devbox-harness";

/** Runs a shell script in the devbox container (as its user, like a terminal would); rejects on a non-zero exit. */
export async function sh(namespace: string, pod: string, script: string): Promise<string> {
  let out = "";
  let err = "";
  const sink = (f: (s: string) => void) => new Writable({ write: (chunk, _e, cb) => (f(chunk.toString()), cb()) });
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(admin)
      .exec(namespace, pod, CONTAINER_NAME, ["bash", "-c", script], sink((s) => (out += s)), sink((s) => (err += s)), null, false, resolve)
      .catch(reject);
  });
  if (status.status !== "Success") throw new Error(`exec failed (${status.message}): ${err}`);
  return out;
}

export const appsApi = () => admin.makeApiClient(AppsV1Api);

/** Takes the node agent away (its DaemonSet matches no node) or brings it back; waits until it is gone / answers. */
export async function setAgentPresent(present: boolean, nodeIP: string): Promise<void> {
  const patch = present ? [{ op: "remove", path: "/spec/template/spec/nodeSelector" }] : [{ op: "add", path: "/spec/template/spec/nodeSelector", value: { "devbox.dev/no-such-node": "true" } }];
  const apps = appsApi();
  const ds = await apps.readNamespacedDaemonSet({ name: "devbox-agent", namespace: AGENT_NAMESPACE });
  const has = !!ds.spec?.template.spec?.nodeSelector?.["devbox.dev/no-such-node"];
  if (has === present) {
    await apps.patchNamespacedDaemonSet({ name: "devbox-agent", namespace: AGENT_NAMESPACE, body: patch }, setHeaderOptions("Content-Type", "application/json-patch+json"));
  }
  await eventually(`agent ${present ? "healthy" : "gone"}`, async () => ((await agentHealthy(nodeIP)) === present ? true : undefined), 120_000);
}

/** A listing of files that must survive a stop/start: type, mode, owner, size, link target, md5. */
export const TREE_SCRIPT = `
cd /
for p in $(sudo find /home/devbox/proj /opt/tool /usr/share/doc/fakepkg /usr/local/bin/fakepkg | sort); do
  line=$(sudo stat -c '%n %F %a %U:%G %s' "$p")
  if [ -L "$p" ]; then line="$line -> $(readlink "$p")"; elif [ -f "$p" ]; then line="$line $(sudo md5sum < "$p" | cut -c1-32)"; fi
  echo "$line"
done
test -e /etc/motd && echo "motd present" || echo "motd gone"
grep -c '^Package: fakepkg$' /var/lib/dpkg/status
`;
