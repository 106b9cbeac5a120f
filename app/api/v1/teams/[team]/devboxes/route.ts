import { getDb } from "@/db/client";
import { readQuery } from "@/lib/api/body";
import { paginate, PageQuery } from "@/lib/api/pagination";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { parseCreateBody } from "@/lib/devboxes/request-body";
import { createDevbox } from "@/lib/devboxes/service";
import { devboxView, loadTeamDevboxViews } from "@/lib/devboxes/view";
import { tokenAllowsDevbox } from "@/lib/authz/token-scope";
import { route } from "@/lib/http/route";

type Ctx = { params: Promise<{ team: string }> };

export const GET = route(async (req: Request, { params }: Ctx) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "viewer");
  const page = readQuery(req, PageQuery);
  const views = (await loadTeamDevboxViews(await getDb(), team.id)).filter((d) => tokenAllowsDevbox(user, d.name));
  return Response.json(paginate(views, (d) => d.name, page));
});

export const POST = route(async (req: Request, { params }: Ctx) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "developer");
  const devbox = await createDevbox(await getDb(), team, user.id, await parseCreateBody(req));
  return Response.json(devboxView(devbox), { status: 201 });
});
