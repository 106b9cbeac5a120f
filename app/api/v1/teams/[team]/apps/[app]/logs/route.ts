import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { appCache } from "@/lib/apps/app-cache";
import { appLogs, findApp } from "@/lib/apps/service";
import { AppError, notFound } from "@/lib/errors";
import { route } from "@/lib/http/route";

/** GET ?pod=<replica>&tail=<lines, ≤ 5000>: the last lines of a replica's log (the newest replica by default), text/plain. */
export const GET = route(async (req: Request, { params }: { params: Promise<{ team: string; app: string }> }) => {
  const { team: slug, app } = await params;
  const team = await requireTeamRole(await requireUser(), slug, "viewer");
  const a = await findApp(await getDb(), team.id, app);
  if (!a) throw notFound("App");
  const url = new URL(req.url);
  const tail = Number(url.searchParams.get("tail") ?? 200);
  if (!Number.isInteger(tail) || tail < 1 || tail > 5000) throw new AppError("bad_request", "tail is a number of lines from 1 to 5000.", { field: "tail" });
  const pods = appCache().podsOf(a.id).sort((x, y) => String(y.metadata?.creationTimestamp).localeCompare(String(x.metadata?.creationTimestamp)));
  const wanted = url.searchParams.get("pod");
  // Only this app's Pods: a name from the query never reaches another Pod of the namespace.
  const pod = wanted ? pods.find((p) => p.metadata?.name === wanted) : pods[0];
  if (!pod) throw notFound("Replica");
  return new Response(await appLogs(team, pod.metadata!.name!, tail), { headers: { "Content-Type": "text/plain; charset=utf-8" } });
});
