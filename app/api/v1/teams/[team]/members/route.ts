import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { route } from "@/lib/http/route";
import { listMembers } from "@/lib/teams/queries";

export const GET = route(async (_req: Request, { params }: { params: Promise<{ team: string }> }) => {
  const team = await requireTeamRole(await requireUser(), (await params).team, "viewer");
  return Response.json({ items: await listMembers(await getDb(), team.id) });
});
