/** A "key=value,key2=value2" setting that Kubernetes would refuse as labels. */
export class LabelListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LabelListError";
  }
}

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * Parses an operator's `setting` ("k=v,k2=v2"): labels for namespaces, a node selector for Pods. A
 * malformed pair is an error naming the setting and the pair, never a silently dropped label.
 */
export function parseLabelList(spec: string | undefined, setting: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const part of (spec ?? "").split(",").map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq).trim();
    const value = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (eq < 0 || !KEY.test(key) || key.split("/")[0].length > 253 || !VALUE.test(value))
      throw new LabelListError(`${setting}: "${part}" is not a Kubernetes label (key=value, e.g. team.example.com/cost-center=dev)`);
    labels[key] = value;
  }
  return labels;
}
