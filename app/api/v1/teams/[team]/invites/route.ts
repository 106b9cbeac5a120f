import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { parseBody } from "@/lib/http/parse-body";
import { route } from "@/lib/http/route";
import { createInviteBody } from "@/lib/invites/schemas";
import { createInvite, pendingInvites } from "@/lib/invites/service";

type Ctx = { params: Promise<{ team: string }> };

/** GET: the team's pending invite links (not expired, revoked or used up). */
export const GET = route(async (_req: Request, { params }: Ctx) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "admin");
  return Response.json({ invites: await pendingInvites(await getDb(), team.id) });
});

/** POST {"role", "expiresInHours"? (default 168, max 720), "maxUses"? (default 1)}: an invite link; its URL is in this answer only. */
export const POST = route(async (req: Request, { params }: Ctx) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "admin");
  const body = await parseBody(req, createInviteBody);
  return Response.json(await createInvite(await getDb(), user, team, body), { status: 201 });
});
