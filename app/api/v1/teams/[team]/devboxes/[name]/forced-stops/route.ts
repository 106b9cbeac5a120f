import { getDb } from "@/db/client";
import { readBody } from "@/lib/api/body";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { ForcedStopBody } from "@/lib/devboxes/schemas";
import { route } from "@/lib/http/route";
import { forceStopDevbox } from "@/lib/snapshots/requests";

/**
 * POST a forced stop: stop without saving (for a stop stuck on a failing commit). Changes since
 * the last snapshot are lost; send {"discardChanges": true} to confirm.
 */
export const POST = route(async (req: Request, { params }: { params: Promise<{ team: string; name: string }> }) => {
  const { team: slug, name } = await params;
  const user = await requireUser();
  const { team } = await requireDevboxRole(user, slug, name, "developer");
  await readBody(req, ForcedStopBody);
  await forceStopDevbox(await getDb(), team, user.id, name);
  return new Response(null, { status: 202 });
});
