import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { devboxView } from "@/lib/devboxes/view";
import { route } from "@/lib/http/route";
import { startFromSnapshot } from "@/lib/snapshots/requests";

/** POST a start from this snapshot (the devbox must be stopped). */
export const POST = route(async (_req: Request, { params }: { params: Promise<{ team: string; name: string; id: string }> }) => {
  const { team: slug, name, id } = await params;
  const user = await requireUser();
  const { team } = await requireDevboxRole(user, slug, name, "developer");
  const d = await startFromSnapshot(await getDb(), team, user.id, name, id);
  return Response.json(devboxView(d), { status: 202 });
});
