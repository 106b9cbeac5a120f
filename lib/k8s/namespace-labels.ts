import { LabelListError, parseLabelList } from "./label-list";
import { MANAGED_BY, TEAM_LABEL } from "./labels";

/** Keys the dashboard sets itself: an operator's extra labels may not override them. */
const RESERVED = new Set([...Object.keys(MANAGED_BY), TEAM_LABEL, "kubernetes.io/metadata.name"]);

/**
 * DEVBOX_NAMESPACE_LABELS="k=v,k2=v2": labels an operator wants on every team namespace this
 * dashboard creates (cost allocation, policy selection; the test suite marks its own namespaces so it
 * can remove what a killed run left). A malformed value is an error, not a silently dropped label.
 */
export function parseNamespaceLabels(spec: string | undefined): Record<string, string> {
  const labels = parseLabelList(spec, "DEVBOX_NAMESPACE_LABELS");
  for (const key of Object.keys(labels))
    if (RESERVED.has(key) || key.startsWith("pod-security.kubernetes.io/"))
      throw new LabelListError(`DEVBOX_NAMESPACE_LABELS: "${key}" is set by the dashboard itself`);
  return labels;
}

let cached: Record<string, string> | undefined;

export function extraNamespaceLabels(): Record<string, string> {
  cached ??= parseNamespaceLabels(process.env.DEVBOX_NAMESPACE_LABELS);
  return cached;
}
