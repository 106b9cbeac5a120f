import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { appViews } from "@/lib/apps/queries";
import { rollbackApp } from "@/lib/apps/service";
import { route } from "@/lib/http/route";

/** POST a rollback: a rolling update back to the release that ran before the last update. */
export const POST = route(async (_req: Request, { params }: { params: Promise<{ team: string; app: string }> }) => {
  const { team: slug, app } = await params;
  const user = await requireUser();
  const team = await requireTeamRole(user, slug, "developer", { scope: "releases:write" });
  const db = await getDb();
  return Response.json((await appViews(db, [await rollbackApp(db, team, user.id, app)]))[0], { status: 201 });
});
