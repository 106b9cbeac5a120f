import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { readBody } from "@/lib/api/body";
import { route } from "@/lib/http/route";
import { devboxIdleSettingsBody } from "@/lib/idle/schemas";
import { devboxIdleState, idleView, setDevboxIdleSettings } from "@/lib/idle/service";

type Ctx = { params: Promise<{ team: string; name: string }> };

/** GET: the next automatic stop (idle, maximum lifetime, daily stop), its settings (and where they come from) and what last moved it. */
export const GET = route(async (_req: Request, { params }: Ctx) => {
  const { team, name } = await params;
  const { devbox } = await requireDevboxRole(await requireUser(), team, name, "viewer");
  return Response.json(idleView(await devboxIdleState(await getDb(), devbox.id)));
});

/** PUT {"timeoutMinutes"?, "dailyStop"?}: this devbox's own timeout (null = the team's or template's; 0 = never) and daily stop (null = the team's; "never"). */
export const PUT = route(async (req: Request, { params }: Ctx) => {
  const { team: slug, name } = await params;
  const user = await requireUser();
  const { team, devbox } = await requireDevboxRole(user, slug, name, "developer");
  const body = await readBody(req, devboxIdleSettingsBody);
  return Response.json(idleView(await setDevboxIdleSettings(await getDb(), team, user.id, devbox, body)));
});
