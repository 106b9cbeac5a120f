import { getDb } from "@/db/client";
import { readBody, readQuery } from "@/lib/api/body";
import { paginate, PageQuery } from "@/lib/api/pagination";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { route } from "@/lib/http/route";
import { createInviteBody } from "@/lib/invites/schemas";
import { createInvite, pendingInvites } from "@/lib/invites/service";

type Ctx = { params: Promise<{ team: string }> };

/** GET: the team's pending invite links (not expired, revoked or used up), newest first, paged. */
export const GET = route(async (req: Request, { params }: Ctx) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "admin");
  const page = readQuery(req, PageQuery);
  const invites = await pendingInvites(await getDb(), team.id);
  return Response.json(paginate(invites, (i) => `${i.createdAt}|${i.id}`, page, "desc"));
});

/** POST {"role", "expiresInHours"? (default 168, max 720), "maxUses"? (default 1)}: an invite link; its URL is in this answer only. */
export const POST = route(async (req: Request, { params }: Ctx) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "admin");
  const body = await readBody(req, createInviteBody);
  return Response.json(await createInvite(await getDb(), user, team, body), { status: 201 });
});
