import { getDb } from "@/db/client";
import { readBody, readQuery } from "@/lib/api/body";
import { paginate, PageQuery } from "@/lib/api/pagination";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { notFound } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { SHARE_LINK_MIN_ROLE } from "@/lib/preview/levels";
import { createShareLinkBody } from "@/lib/preview/schemas";
import { createShareLink, listDevboxShareLinks } from "@/lib/preview/service";

type Ctx = { params: Promise<{ team: string; name: string; port: string }> };

function portOf(p: string): number {
  if (!/^\d{1,5}$/.test(p)) throw notFound("Port");
  return Number(p);
}

/** GET: this port's share links (active, expired and revoked), with who shared each; newest first, paged (they pile up). */
export const GET = route(async (req: Request, { params }: Ctx) => {
  const { team: slug, name, port } = await params;
  const user = await requireUser();
  const { devbox } = await requireDevboxRole(user, slug, name, "developer");
  const page = readQuery(req, PageQuery);
  const links = await listDevboxShareLinks(await getDb(), devbox, portOf(port));
  return Response.json(paginate(links, (l) => `${l.createdAt}|${l.id}`, page, "desc"));
});

/** POST {"label"?, "expiresInHours"? (default 24, max 720)}: a signed link; its URL is in this answer only. */
export const POST = route(async (req: Request, { params }: Ctx) => {
  const { team: slug, name, port } = await params;
  const user = await requireUser();
  const { team, devbox } = await requireDevboxRole(user, slug, name, SHARE_LINK_MIN_ROLE);
  const body = await readBody(req, createShareLinkBody, { optional: true });
  return Response.json(await createShareLink(await getDb(), user, team, devbox, portOf(port), body), { status: 201 });
});
