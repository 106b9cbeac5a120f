import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { appViews } from "@/lib/apps/queries";
import { createApp, listApps } from "@/lib/apps/service";
import { createAppBody } from "@/lib/apps/schemas";
import { route } from "@/lib/http/route";
import { parseJsonBody } from "@/lib/http/zod-body";

type Ctx = { params: Promise<{ team: string }> };

/** The team's apps with their replicas' state (from the cluster). */
export const GET = route(async (_req: Request, { params }: Ctx) => {
  const { team: slug } = await params;
  const team = await requireTeamRole(await requireUser(), slug, "viewer");
  const db = await getDb();
  return Response.json(await appViews(db, await listApps(db, team.id)));
});

/** POST an app: deploys a ready release as a Deployment + Service. */
export const POST = route(async (req: Request, { params }: Ctx) => {
  const { team: slug } = await params;
  const user = await requireUser();
  const team = await requireTeamRole(user, slug, "developer");
  const body = await parseJsonBody(req, createAppBody);
  const db = await getDb();
  const [view] = await appViews(db, [await createApp(db, team, user.id, body)]);
  return Response.json(view, { status: 201 });
});
