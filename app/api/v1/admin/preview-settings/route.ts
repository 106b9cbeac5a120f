import { getDb } from "@/db/client";
import { readBody } from "@/lib/api/body";
import { requireUser } from "@/lib/auth/session";
import { requireInstanceAdmin } from "@/lib/authz/team-access";
import { recordAudit } from "@/lib/audit/record";
import { route } from "@/lib/http/route";
import { instanceMaxLevel, setInstanceMaxLevel } from "@/lib/preview/queries";
import { instancePreviewSettingsBody } from "@/lib/preview/schemas";
import { previewSockets } from "@/lib/preview/socket-registry";

/** GET: the instance's maximum preview level (instance administrators). */
export const GET = route(async () => {
  requireInstanceAdmin(await requireUser());
  return Response.json({ maxLevel: (await instanceMaxLevel(await getDb())) ?? "public" });
});

/** PUT {"maxLevel"}: caps every port of every team (e.g. "link" forbids public ports); applies to the next request. */
export const PUT = route(async (req: Request) => {
  const user = await requireUser();
  requireInstanceAdmin(user);
  const body = await readBody(req, instancePreviewSettingsBody);
  const db = await getDb();
  await setInstanceMaxLevel(db, body.maxLevel);
  await recordAudit(db, { actorId: user.id, action: "preview.instance_max_set", details: { maxLevel: body.maxLevel } });
  await previewSockets().recheck();
  return Response.json({ maxLevel: body.maxLevel });
});
