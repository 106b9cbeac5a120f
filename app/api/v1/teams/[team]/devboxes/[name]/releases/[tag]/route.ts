import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { notFound } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { deleteRelease, listReleases } from "@/lib/releases/requests";
import { releaseView } from "@/lib/releases/view";

type Ctx = { params: Promise<{ team: string; name: string; tag: string }> };

export const GET = route(async (_req: Request, { params }: Ctx) => {
  const { team, name, tag } = await params;
  const { devbox } = await requireDevboxRole(await requireUser(), team, name, "viewer");
  const row = (await listReleases(await getDb(), devbox.id)).find((r) => r.release.tag === tag);
  if (!row) throw notFound("Release");
  return Response.json(releaseView(row.release, row.createdByEmail, row.apps));
});

/** Deletes the release and its image; refused (409) while an app runs it. */
export const DELETE = route(async (_req: Request, { params }: Ctx) => {
  const { team: slug, name, tag } = await params;
  const user = await requireUser();
  const { team } = await requireDevboxRole(user, slug, name, "developer", { scope: "releases:write" });
  await deleteRelease(await getDb(), team, user.id, name, tag);
  return new Response(null, { status: 204 });
});
