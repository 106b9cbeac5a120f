import { getDb } from "@/db/client";
import { readBody, readQuery } from "@/lib/api/body";
import { paginate, PageQuery } from "@/lib/api/pagination";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { appViews } from "@/lib/apps/queries";
import { createApp, listApps } from "@/lib/apps/service";
import { createAppBody } from "@/lib/apps/schemas";
import { route } from "@/lib/http/route";

type Ctx = { params: Promise<{ team: string }> };

/** The team's apps by name, with their replicas' state (from the cluster). */
export const GET = route(async (req: Request, { params }: Ctx) => {
  const { team: slug } = await params;
  const team = await requireTeamRole(await requireUser(), slug, "viewer");
  const query = readQuery(req, PageQuery);
  const db = await getDb();
  const page = paginate(await listApps(db, team.id), (a) => a.name, query);
  return Response.json({ items: await appViews(db, page.items), nextCursor: page.nextCursor });
});

/** POST an app: deploys a ready release as a Deployment + Service. */
export const POST = route(async (req: Request, { params }: Ctx) => {
  const { team: slug } = await params;
  const user = await requireUser();
  const team = await requireTeamRole(user, slug, "developer", { scope: "releases:write" });
  const body = await readBody(req, createAppBody);
  const db = await getDb();
  const [view] = await appViews(db, [await createApp(db, team, user.id, body)]);
  return Response.json(view, { status: 201 });
});
