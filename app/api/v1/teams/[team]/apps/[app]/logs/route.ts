import { getDb } from "@/db/client";
import { readQuery } from "@/lib/api/body";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { appCache } from "@/lib/apps/app-cache";
import { AppLogsQuery } from "@/lib/apps/schemas";
import { appLogs, findApp } from "@/lib/apps/service";
import { notFound } from "@/lib/errors";
import { route } from "@/lib/http/route";

/**
 * GET ?pod=<replica>&tail=<lines, ≤ 5000>: the last lines of a replica's log (the newest replica by
 * default), text/plain. Developers only, as a devbox's logs: output can hold secrets.
 */
export const GET = route(async (req: Request, { params }: { params: Promise<{ team: string; app: string }> }) => {
  const { team: slug, app } = await params;
  const team = await requireTeamRole(await requireUser(), slug, "developer", { scope: "devboxes:read" });
  const { pod: wanted, tail = 200 } = readQuery(req, AppLogsQuery);
  const a = await findApp(await getDb(), team.id, app);
  if (!a) throw notFound("App");
  const pods = appCache().podsOf(a.id).sort((x, y) => String(y.metadata?.creationTimestamp).localeCompare(String(x.metadata?.creationTimestamp)));
  // Only this app's Pods: a name from the query never reaches another Pod of the namespace.
  const pod = wanted ? pods.find((p) => p.metadata?.name === wanted) : pods[0];
  if (!pod) throw notFound("Replica");
  return new Response(await appLogs(team, pod.metadata!.name!, tail), { headers: { "Content-Type": "text/plain; charset=utf-8" } });
});
