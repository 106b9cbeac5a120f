import type { Database } from "@/db/client";
import { teams } from "@/db/schema/teams";
import { refreshTeamNamespace } from "@/lib/k8s/team-namespace";
import { egressDenyInputs } from "@/lib/k8s/team-network-policy";

/**
 * On start-up: every team namespace gets the current RoleBinding and network policies, so teams
 * made by an older version (or before a node address changed) are isolated too. Failures are
 * logged per team and do not stop the others.
 */
export async function refreshTeamNamespaces(db: Database): Promise<{ refreshed: number; failed: number }> {
  const inputs = await egressDenyInputs();
  let refreshed = 0;
  let failed = 0;
  for (const t of await db.select({ namespace: teams.namespace }).from(teams)) {
    try {
      await refreshTeamNamespace(t.namespace, inputs);
      refreshed++;
    } catch (err) {
      failed++;
      console.error(`[devbox] could not update the policies of ${t.namespace}:`, err);
    }
  }
  return { refreshed, failed };
}
