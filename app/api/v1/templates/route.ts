import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { route } from "@/lib/http/route";
import { listTemplates } from "@/lib/templates/queries";

/** The runtime templates a devbox can be created from (any signed-in user may read them). */
export const GET = route(async () => {
  await requireUser();
  const items = (await listTemplates(await getDb())).map((t) => ({ id: t.id, name: t.name, displayName: t.displayName, description: t.description, image: t.image, ports: t.ports }));
  return Response.json({ items });
});
