import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { parseRestartBody } from "@/lib/devboxes/request-body";
import { restartDevbox } from "@/lib/devboxes/service";
import { devboxView } from "@/lib/devboxes/view";
import { route } from "@/lib/http/route";

/** POST a restart: a new Pod replaces the current one. Send the podGeneration you saw to make retries safe. */
export const POST = route(async (req: Request, { params }: { params: Promise<{ team: string; name: string }> }) => {
  const { team: slug, name } = await params;
  const user = await requireUser();
  const { team } = await requireDevboxRole(user, slug, name, "developer");
  const d = await restartDevbox(await getDb(), team, user.id, name, await parseRestartBody(req));
  return Response.json(devboxView(d), { status: 202 });
});
