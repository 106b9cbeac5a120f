import { getDb } from "@/db/client";
import { readBody, readQuery } from "@/lib/api/body";
import { paginate, PageQuery } from "@/lib/api/pagination";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { route } from "@/lib/http/route";
import { createRelease, listReleases } from "@/lib/releases/requests";
import { createReleaseBody } from "@/lib/releases/schemas";
import { releaseView } from "@/lib/releases/view";

type Ctx = { params: Promise<{ team: string; name: string }> };

/** The devbox's releases, newest first, with who made them and which apps run them. */
export const GET = route(async (req: Request, { params }: Ctx) => {
  const { team, name } = await params;
  const { devbox } = await requireDevboxRole(await requireUser(), team, name, "viewer");
  const query = readQuery(req, PageQuery);
  const page = paginate(await listReleases(await getDb(), devbox.id), (r) => `${r.release.createdAt.toISOString()}\u0000${r.release.tag}`, query, "desc");
  return Response.json({ items: page.items.map((r) => releaseView(r.release, r.createdByEmail, r.apps)), nextCursor: page.nextCursor });
});

/** POST a release: 202 with the pending release; GET …/releases/{tag} shows its progress and end state. */
export const POST = route(async (req: Request, { params }: Ctx) => {
  const { team: slug, name } = await params;
  const user = await requireUser();
  const { team } = await requireDevboxRole(user, slug, name, "developer", { scope: "releases:write" });
  const body = await readBody(req, createReleaseBody);
  const { release } = await createRelease(await getDb(), team, user.id, name, body);
  return Response.json(releaseView(release, user.email), { status: 202 });
});
