import { MANAGED_BY, TEAM_LABEL } from "./labels";

/** Keys the dashboard sets itself: an operator's extra labels may not override them. */
const RESERVED = new Set([...Object.keys(MANAGED_BY), TEAM_LABEL, "kubernetes.io/metadata.name"]);
const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * DEVBOX_NAMESPACE_LABELS="k=v,k2=v2": labels an operator wants on every team namespace this
 * dashboard creates (cost allocation, policy selection; the test suite marks its own namespaces so it
 * can remove what a killed run left). A malformed value is an error, not a silently dropped label.
 */
export function parseNamespaceLabels(spec: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const part of (spec ?? "").split(",").map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq).trim();
    const value = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (eq < 0 || !KEY.test(key) || key.split("/")[0].length > 253 || !VALUE.test(value))
      throw new Error(`DEVBOX_NAMESPACE_LABELS: "${part}" is not a Kubernetes label (key=value, e.g. team.example.com/cost-center=dev)`);
    if (RESERVED.has(key) || key.startsWith("pod-security.kubernetes.io/"))
      throw new Error(`DEVBOX_NAMESPACE_LABELS: "${key}" is set by the dashboard itself`);
    labels[key] = value;
  }
  return labels;
}

let cached: Record<string, string> | undefined;

export function extraNamespaceLabels(): Record<string, string> {
  cached ??= parseNamespaceLabels(process.env.DEVBOX_NAMESPACE_LABELS);
  return cached;
}
