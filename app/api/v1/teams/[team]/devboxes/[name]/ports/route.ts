import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { route } from "@/lib/http/route";
import { listPorts } from "@/lib/preview/service";

/** GET: the devbox's declared ports with their preview URL and access level. */
export const GET = route(async (_req: Request, { params }: { params: Promise<{ team: string; name: string }> }) => {
  const { team: slug, name } = await params;
  const user = await requireUser();
  const { team, devbox } = await requireDevboxRole(user, slug, name, "viewer");
  return Response.json({ ports: await listPorts(await getDb(), team, devbox) });
});
