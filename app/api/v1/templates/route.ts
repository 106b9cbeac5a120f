import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { route } from "@/lib/http/route";
import { listTemplates } from "@/lib/templates/queries";
import { templateView } from "@/lib/templates/schemas";

/** The runtime templates a devbox can be created from (any signed-in user may read them). */
export const GET = route(async () => {
  await requireUser();
  const items = (await listTemplates(await getDb())).map(templateView);
  return Response.json({ items });
});
