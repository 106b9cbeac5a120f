import { getDb } from "@/db/client";
import { readBody } from "@/lib/api/body";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { requireTokenMayCreateDevbox } from "@/lib/authz/token-scope";
import { devboxView } from "@/lib/devboxes/view";
import { route } from "@/lib/http/route";
import { forkFromSnapshot } from "@/lib/snapshots/requests";
import { ForkBody } from "@/lib/snapshots/schemas";

/** POST {"name": "new-box"}: a new devbox in the same team, starting from this snapshot. */
export const POST = route(async (req: Request, { params }: { params: Promise<{ team: string; name: string; id: string }> }) => {
  const { team: slug, name, id } = await params;
  const user = await requireUser();
  const { team } = await requireDevboxRole(user, slug, name, "developer");
  const body = await readBody(req, ForkBody);
  requireTokenMayCreateDevbox(user, body.name);
  const fork = await forkFromSnapshot(await getDb(), team, user.id, name, id, body.name);
  return Response.json(devboxView(fork), { status: 201 });
});
