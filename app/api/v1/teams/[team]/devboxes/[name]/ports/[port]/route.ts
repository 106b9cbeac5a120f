import { getDb } from "@/db/client";
import { readBody } from "@/lib/api/body";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { notFound } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { setPortLevelBody } from "@/lib/preview/schemas";
import { changePortLevel } from "@/lib/preview/service";

/** PUT {"level": "private"|"team"|"link"|"public"}: who may open this port's preview URL. Takes effect on the next request. */
export const PUT = route(async (req: Request, { params }: { params: Promise<{ team: string; name: string; port: string }> }) => {
  const { team: slug, name, port } = await params;
  const user = await requireUser();
  const { team, devbox } = await requireDevboxRole(user, slug, name, "developer");
  if (!/^\d{1,5}$/.test(port)) throw notFound("Port");
  const body = await readBody(req, setPortLevelBody);
  return Response.json(await changePortLevel(await getDb(), user, team, devbox, Number(port), body.level));
});
