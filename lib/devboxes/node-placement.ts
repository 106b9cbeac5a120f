import { parseLabelList } from "@/lib/k8s/label-list";

/**
 * Which nodes devbox Pods may run on: `DEVBOX_NODE_SELECTOR` ("key=value,key2=value2", Kubernetes
 * node labels), read when each Pod is built, so a change applies to the next start. Unset: any
 * node. Operators use it to keep devboxes on labelled nodes; the two-node tests use it to put a
 * devbox on a chosen node (kubernetes.io/hostname=…).
 */
export function parseNodeSelector(text: string): Record<string, string> | undefined {
  const selector = parseLabelList(text, "DEVBOX_NODE_SELECTOR");
  return Object.keys(selector).length ? selector : undefined;
}

export const devboxNodeSelector = (env: Record<string, string | undefined> = process.env) => parseNodeSelector(env.DEVBOX_NODE_SELECTOR ?? "");
