import type { TeamWithRole } from "./queries";

/** The API's representation of a team: no internal ids beyond what clients need. */
export function teamView(t: TeamWithRole) {
  return { slug: t.slug, displayName: t.displayName, namespace: t.namespace, personal: t.personal, role: t.role, createdAt: t.createdAt };
}
