import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { tokenAllowsDevbox } from "@/lib/authz/token-scope";
import { route } from "@/lib/http/route";
import { teamUsage } from "@/lib/usage/service";

/** GET: what the team runs, its requests against its quota, snapshot storage and its top consumers. */
export const GET = route(async (_req: Request, { params }: { params: Promise<{ team: string }> }) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "viewer");
  const usage = await teamUsage(await getDb(), team);
  // A token restricted to named devboxes learns nothing by name of the others (as the list and the event stream).
  const topConsumers = usage.topConsumers.filter((c) => tokenAllowsDevbox(user, c.name));
  return Response.json({ ...usage, topConsumers }, { headers: { "Cache-Control": "no-store" } });
});
