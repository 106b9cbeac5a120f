/**
 * Which nodes devbox Pods may run on: `DEVBOX_NODE_SELECTOR` ("key=value,key2=value2", Kubernetes
 * node labels), read when each Pod is built, so a change applies to the next start. Unset: any
 * node. Operators use it to keep devboxes on labelled nodes; the two-node tests use it to put a
 * devbox on a chosen node (kubernetes.io/hostname=…).
 */
export class NodeSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NodeSelectorError";
  }
}

// label key: optional DNS prefix, then a name of at most 63 characters; value: at most 63
const KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export function parseNodeSelector(text: string): Record<string, string> | undefined {
  const pairs = text.split(",").map((p) => p.trim()).filter(Boolean);
  if (pairs.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq < 0) throw new NodeSelectorError(`DEVBOX_NODE_SELECTOR: "${pair}" is not key=value`);
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (!KEY.test(key)) throw new NodeSelectorError(`DEVBOX_NODE_SELECTOR: "${key}" is not a label key`);
    if (!VALUE.test(value)) throw new NodeSelectorError(`DEVBOX_NODE_SELECTOR: "${value}" is not a label value`);
    out[key] = value;
  }
  return out;
}

export const devboxNodeSelector = (env: Record<string, string | undefined> = process.env) => parseNodeSelector(env.DEVBOX_NODE_SELECTOR ?? "");
