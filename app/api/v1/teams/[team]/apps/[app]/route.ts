import { getDb } from "@/db/client";
import { readBody } from "@/lib/api/body";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { appViews } from "@/lib/apps/queries";
import { deleteApp, findApp, updateApp } from "@/lib/apps/service";
import { updateAppBody } from "@/lib/apps/schemas";
import { notFound } from "@/lib/errors";
import { route } from "@/lib/http/route";

type Ctx = { params: Promise<{ team: string; app: string }> };

export const GET = route(async (_req: Request, { params }: Ctx) => {
  const { team: slug, app } = await params;
  const team = await requireTeamRole(await requireUser(), slug, "viewer");
  const db = await getDb();
  const a = await findApp(db, team.id, app);
  if (!a) throw notFound("App");
  return Response.json((await appViews(db, [a]))[0]);
});

/** PATCH: scale (replicas, 0 = stop), resources, env, command, or a rolling update to another release. */
export const PATCH = route(async (req: Request, { params }: Ctx) => {
  const { team: slug, app } = await params;
  const user = await requireUser();
  const team = await requireTeamRole(user, slug, "developer", { scope: "releases:write" });
  const body = await readBody(req, updateAppBody);
  const db = await getDb();
  return Response.json((await appViews(db, [await updateApp(db, team, user.id, app, body)]))[0]);
});

export const DELETE = route(async (_req: Request, { params }: Ctx) => {
  const { team: slug, app } = await params;
  const user = await requireUser();
  const team = await requireTeamRole(user, slug, "developer", { scope: "releases:write" });
  await deleteApp(await getDb(), team, user.id, app);
  return new Response(null, { status: 204 });
});
