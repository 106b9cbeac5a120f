import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { readBody } from "@/lib/api/body";
import { route } from "@/lib/http/route";
import { keepRunningBody } from "@/lib/idle/schemas";
import { idleView, keepRunning } from "@/lib/idle/service";

type Ctx = { params: Promise<{ team: string; name: string }> };

/** POST {}: "keep running for 2 h" — the idle deadline becomes at least 2 h from now (audited). */
export const POST = route(async (req: Request, { params }: Ctx) => {
  const { team: slug, name } = await params;
  const user = await requireUser();
  const { team, devbox } = await requireDevboxRole(user, slug, name, "developer");
  await readBody(req, keepRunningBody, { optional: true });
  return Response.json(idleView(await keepRunning(await getDb(), team, user.id, devbox)));
});
