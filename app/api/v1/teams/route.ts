import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { readBody } from "@/lib/api/body";
import { requireTokenScope, tokenAllowsTeam } from "@/lib/authz/token-scope";
import { route } from "@/lib/http/route";
import { listTeamsForUser } from "@/lib/teams/queries";
import { CreateTeamBody } from "@/lib/teams/schemas";
import { createTeam } from "@/lib/teams/service";
import { teamView } from "@/lib/teams/view";

export const GET = route(async () => {
  const user = await requireUser();
  const teams = (await listTeamsForUser(await getDb(), user.id)).filter((t) => tokenAllowsTeam(user, t.id));
  return Response.json({ items: teams.map(teamView) });
});

export const POST = route(async (req: Request) => {
  const user = await requireUser();
  requireTokenScope(user, "admin");
  const team = await createTeam(await getDb(), user.id, await readBody(req, CreateTeamBody));
  return Response.json(teamView({ ...team, role: "owner" }), { status: 201 });
});
