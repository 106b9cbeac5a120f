import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { route } from "@/lib/http/route";
import { teamUsage } from "@/lib/usage/service";

/** GET: what the team runs, its requests against its quota, snapshot storage and its top consumers. */
export const GET = route(async (_req: Request, { params }: { params: Promise<{ team: string }> }) => {
  const team = await requireTeamRole(await requireUser(), (await params).team, "viewer");
  return Response.json(await teamUsage(await getDb(), team), { headers: { "Cache-Control": "no-store" } });
});
