// Team namespaces are cluster-wide names: a prefix keeps them apart from the cluster's own.
export function namespaceForTeam(slug: string): string {
  return `${process.env.DEVBOX_NAMESPACE_PREFIX ?? "devbox-"}${slug}`;
}
