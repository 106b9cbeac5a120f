import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { route } from "@/lib/http/route";
import { revokeInvite } from "@/lib/invites/service";

/** DELETE: revokes the invite link at once. Idempotent. */
export const DELETE = route(async (_req: Request, { params }: { params: Promise<{ team: string; id: string }> }) => {
  const { team: slug, id } = await params;
  const user = await requireUser();
  const team = await requireTeamRole(user, slug, "admin");
  await revokeInvite(await getDb(), user, team, id);
  return new Response(null, { status: 204 });
});
