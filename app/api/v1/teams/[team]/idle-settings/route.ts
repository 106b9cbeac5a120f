import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { readBody } from "@/lib/api/body";
import { route } from "@/lib/http/route";
import { teamIdleTimeout } from "@/lib/idle/queries";
import { teamIdleSettingsBody } from "@/lib/idle/schemas";
import { setTeamIdleTimeout } from "@/lib/idle/service";

type Ctx = { params: Promise<{ team: string }> };

/** GET: the team's idle timeout (null = each template's). */
export const GET = route(async (_req: Request, { params }: Ctx) => {
  const team = await requireTeamRole(await requireUser(), (await params).team, "viewer");
  return Response.json({ timeoutMinutes: await teamIdleTimeout(await getDb(), team.id) });
});

/** PUT {"timeoutMinutes"}: team admins set the idle timeout of the team's devboxes (0 = never; null = the template's). */
export const PUT = route(async (req: Request, { params }: Ctx) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "admin");
  const body = await readBody(req, teamIdleSettingsBody);
  await setTeamIdleTimeout(await getDb(), team, user.id, body.timeoutMinutes);
  return Response.json({ timeoutMinutes: body.timeoutMinutes });
});
