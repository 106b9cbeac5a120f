import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { route } from "@/lib/http/route";
import { removeMember } from "@/lib/teams/service";

/**
 * Removes a member; any member may remove themselves (leave). Either way a membership change: an
 * API token needs the admin scope (a read-only token must not take its owner out of a team).
 */
export const DELETE = route(async (_req: Request, { params }: { params: Promise<{ team: string; userId: string }> }) => {
  const { team: slug, userId } = await params;
  const user = await requireUser();
  const team = await requireTeamRole(user, slug, user.id === userId ? "viewer" : "admin", { scope: "admin" });
  await removeMember(await getDb(), user.id, team, userId);
  return new Response(null, { status: 204 });
});
