import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { parseStateBody } from "@/lib/devboxes/request-body";
import { startDevbox, stopDevbox } from "@/lib/devboxes/service";
import { devboxView } from "@/lib/devboxes/view";
import { route } from "@/lib/http/route";

/** PUT {"state": "running" | "stopped"}: turn the devbox on or off. Idempotent. */
export const PUT = route(async (req: Request, { params }: { params: Promise<{ team: string; name: string }> }) => {
  const { team: slug, name } = await params;
  const user = await requireUser();
  const { team } = await requireDevboxRole(user, slug, name, "developer");
  const state = await parseStateBody(req);
  const db = await getDb();
  const d = state === "running" ? await startDevbox(db, team, user.id, name) : await stopDevbox(db, team, user.id, name);
  return Response.json(devboxView(d), { status: 202 });
});
