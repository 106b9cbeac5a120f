import { getDb } from "@/db/client";
import { readQuery } from "@/lib/api/body";
import { AuditQuery } from "@/lib/audit/schemas";
import { teamAuditPage } from "@/lib/audit/service";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { route } from "@/lib/http/route";

/** GET ?devbox=&user=&kind=&limit=&cursor=: the team's audit trail, newest first (owners and admins, like the Audit page). */
export const GET = route(async (req: Request, { params }: { params: Promise<{ team: string }> }) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "admin");
  const query = readQuery(req, AuditQuery);
  return Response.json(await teamAuditPage(await getDb(), team, query));
});
