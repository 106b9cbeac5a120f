import { getDb } from "@/db/client";
import { readBody, readQuery } from "@/lib/api/body";
import { paginate, PageQuery } from "@/lib/api/pagination";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { route } from "@/lib/http/route";
import { listMembers } from "@/lib/teams/queries";
import { AddMemberBody } from "@/lib/teams/schemas";
import { addMember } from "@/lib/teams/service";

type Ctx = { params: Promise<{ team: string }> };

export const GET = route(async (req: Request, { params }: Ctx) => {
  const team = await requireTeamRole(await requireUser(), (await params).team, "viewer");
  const page = readQuery(req, PageQuery);
  const members = (await listMembers(await getDb(), team.id)).map((m) => ({ ...m, since: m.since.toISOString() }));
  return Response.json(paginate(members, (m) => `${m.email}\u0000${m.userId}`, page));
});

/** Adds an existing account (the members page's form). */
export const POST = route(async (req: Request, { params }: Ctx) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "admin");
  const body = await readBody(req, AddMemberBody);
  await addMember(await getDb(), user.id, team, body.email, body.role ?? "developer");
  return new Response(null, { status: 204 });
});
