import { getDb } from "@/db/client";
import { readBody } from "@/lib/api/body";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { requireTokenMayCreateDevbox } from "@/lib/authz/token-scope";
import { devboxView } from "@/lib/devboxes/view";
import { route } from "@/lib/http/route";
import { forkFromRelease } from "@/lib/releases/requests";
import { forkReleaseBody } from "@/lib/releases/schemas";

/** POST {"name": "new-box"}: a new devbox starting from this release's image. */
export const POST = route(async (req: Request, { params }: { params: Promise<{ team: string; name: string; tag: string }> }) => {
  const { team: slug, name, tag } = await params;
  const user = await requireUser();
  const { team } = await requireDevboxRole(user, slug, name, "developer");
  const body = await readBody(req, forkReleaseBody);
  requireTokenMayCreateDevbox(user, body.name);
  const fork = await forkFromRelease(await getDb(), team, user.id, name, tag, body.name);
  return Response.json(devboxView(fork), { status: 201 });
});
