import { clusterHealth } from "@/lib/k8s/health";
import { databaseHandle } from "@/db/client";

export const dynamic = "force-dynamic";

// Liveness for load balancers and the test harness; says nothing about any tenant.
export async function GET() {
  const [{ kind }, cluster] = await Promise.all([databaseHandle(), clusterHealth()]);
  return Response.json({ ok: true, database: kind, kubernetes: cluster.reachable ? "reachable" : "unreachable" });
}
