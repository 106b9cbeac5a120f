import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { listTeamsForUser } from "@/lib/teams/queries";
import { createTeam } from "@/lib/teams/service";
import { teamView } from "@/lib/teams/view";

export const GET = route(async () => {
  const user = await requireUser();
  const teams = await listTeamsForUser(await getDb(), user.id);
  return Response.json({ items: teams.map(teamView) });
});

export const POST = route(async (req: Request) => {
  const user = await requireUser();
  const body = (await req.json().catch(() => null)) as { slug?: unknown; displayName?: unknown } | null;
  if (!body || typeof body.slug !== "string") throw new AppError("bad_request", "Body must be JSON with a string 'slug'.", { field: "slug" });
  const team = await createTeam(await getDb(), user.id, {
    slug: body.slug,
    displayName: typeof body.displayName === "string" ? body.displayName : undefined,
  });
  return Response.json(teamView({ ...team, role: "owner" }), { status: 201 });
});
