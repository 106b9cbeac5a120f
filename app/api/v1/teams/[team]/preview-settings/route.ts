import { getDb } from "@/db/client";
import { readBody } from "@/lib/api/body";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { route } from "@/lib/http/route";
import { instanceMaxLevel, teamMaxLevel } from "@/lib/preview/queries";
import { teamPreviewSettingsBody } from "@/lib/preview/schemas";
import { changeTeamMaxLevel } from "@/lib/preview/service";

type Ctx = { params: Promise<{ team: string }> };

/** GET: the team's maximum preview level and the instance's. */
export const GET = route(async (_req: Request, { params }: Ctx) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "viewer");
  const db = await getDb();
  return Response.json({ maxLevel: (await teamMaxLevel(db, team.id)) ?? "public", instanceMaxLevel: (await instanceMaxLevel(db)) ?? "public" });
});

/** PUT {"maxLevel"}: team admins cap every port's level (e.g. forbid "public"); higher ports are lowered at once. */
export const PUT = route(async (req: Request, { params }: Ctx) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "admin");
  const body = await readBody(req, teamPreviewSettingsBody);
  await changeTeamMaxLevel(await getDb(), user, team, body.maxLevel);
  return Response.json({ maxLevel: body.maxLevel });
});
