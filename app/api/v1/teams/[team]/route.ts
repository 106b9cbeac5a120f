import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { route } from "@/lib/http/route";
import { deleteTeam } from "@/lib/teams/service";
import { teamView } from "@/lib/teams/view";

type Ctx = { params: Promise<{ team: string }> };

export const GET = route(async (_req: Request, { params }: Ctx) => {
  const team = await requireTeamRole(await requireUser(), (await params).team, "viewer");
  return Response.json(teamView(team));
});

export const DELETE = route(async (_req: Request, { params }: Ctx) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "owner");
  await deleteTeam(await getDb(), user.id, team);
  return new Response(null, { status: 204 });
});
