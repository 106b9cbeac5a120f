import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { readBody } from "@/lib/api/body";
import { route } from "@/lib/http/route";
import { teamAutoStop } from "@/lib/idle/queries";
import { teamIdleSettingsBody } from "@/lib/idle/schemas";
import { setTeamIdleSettings } from "@/lib/idle/service";

type Ctx = { params: Promise<{ team: string }> };

/** GET: the team's automatic stops: idle timeout (null = each template's), maximum lifetime, daily stop. */
export const GET = route(async (_req: Request, { params }: Ctx) => {
  const team = await requireTeamRole(await requireUser(), (await params).team, "viewer");
  return Response.json(await teamAutoStop(await getDb(), team.id));
});

/** PUT {"timeoutMinutes"?, "maxLifetimeMinutes"?, "dailyStop"?}: team admins set them (fields left out stay). */
export const PUT = route(async (req: Request, { params }: Ctx) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "admin");
  const body = await readBody(req, teamIdleSettingsBody);
  return Response.json(await setTeamIdleSettings(await getDb(), team, user.id, body));
});
