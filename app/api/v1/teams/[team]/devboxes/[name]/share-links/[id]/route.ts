import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { route } from "@/lib/http/route";
import { revokeLink } from "@/lib/preview/service";

/** DELETE: revokes the link at once (its next request is refused, its websockets are cut). Idempotent. */
export const DELETE = route(async (_req: Request, { params }: { params: Promise<{ team: string; name: string; id: string }> }) => {
  const { team: slug, name, id } = await params;
  const user = await requireUser();
  const { team, devbox } = await requireDevboxRole(user, slug, name, "developer");
  await revokeLink(await getDb(), user, team, devbox, id);
  return new Response(null, { status: 204 });
});
