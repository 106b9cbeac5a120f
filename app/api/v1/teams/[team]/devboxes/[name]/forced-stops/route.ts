import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { AppError } from "@/lib/errors";
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
  const body = (await req.json().catch(() => null)) as { discardChanges?: unknown } | null;
  if (body?.discardChanges !== true)
    throw new AppError("bad_request", 'A forced stop loses the changes since the last snapshot: send {"discardChanges": true}.', { field: "discardChanges" });
  await forceStopDevbox(await getDb(), team, user.id, name);
  return new Response(null, { status: 202 });
});
