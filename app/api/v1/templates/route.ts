import { getDb } from "@/db/client";
import { AddTemplateBody } from "@/lib/admin/schemas";
import { addTemplateByAdmin } from "@/lib/admin/service";
import { readBody } from "@/lib/api/body";
import { requireUser } from "@/lib/auth/session";
import { requireInstanceAdmin } from "@/lib/authz/team-access";
import { requireTokenScope } from "@/lib/authz/token-scope";
import { route } from "@/lib/http/route";
import { listTemplates } from "@/lib/templates/queries";
import { templateView } from "@/lib/templates/schemas";

/** The runtime templates a devbox can be created from (any signed-in user may read them). */
export const GET = route(async () => {
  await requireUser();
  const items = (await listTemplates(await getDb())).map(templateView);
  return Response.json({ items });
});

/** Adds a runtime template (instance administrators; the admin page's form). */
export const POST = route(async (req: Request) => {
  const user = await requireUser();
  requireInstanceAdmin(user);
  requireTokenScope(user, "admin");
  const b = await readBody(req, AddTemplateBody);
  const t = await addTemplateByAdmin(await getDb(), user.id, {
    name: b.name.trim(),
    displayName: (b.displayName ?? "").trim(),
    description: (b.description ?? "").trim(),
    image: b.image.trim(),
    ports: (b.ports ?? []).map((p) => ({ port: p.port, name: p.name ?? "" })),
    idleTimeoutMinutes: b.idleTimeoutMinutes,
  });
  return Response.json(templateView(t), { status: 201 });
});
