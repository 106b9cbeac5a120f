import { getDb } from "@/db/client";
import { readBody } from "@/lib/api/body";
import { UpdateSettingsBody } from "@/lib/admin/schemas";
import { changeSignup, changeTeamLimit, instanceSettings } from "@/lib/admin/service";
import { requireUser } from "@/lib/auth/session";
import { requireInstanceAdmin } from "@/lib/authz/team-access";
import { requireTokenScope } from "@/lib/authz/token-scope";
import { route } from "@/lib/http/route";

/** The instance settings the admin page shows: sign-up open, teams per user. */
export const GET = route(async () => {
  const user = await requireUser();
  requireInstanceAdmin(user);
  requireTokenScope(user, "admin");
  return Response.json(await instanceSettings(await getDb()));
});

export const PATCH = route(async (req: Request) => {
  const user = await requireUser();
  requireInstanceAdmin(user);
  requireTokenScope(user, "admin");
  const body = await readBody(req, UpdateSettingsBody);
  const db = await getDb();
  if (body.maxTeamsPerUser !== undefined) await changeTeamLimit(db, user.id, body.maxTeamsPerUser);
  if (body.signupOpen !== undefined) await changeSignup(db, user.id, body.signupOpen);
  return Response.json(await instanceSettings(db));
});
