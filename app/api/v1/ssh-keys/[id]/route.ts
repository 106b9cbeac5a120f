import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTokenScope } from "@/lib/authz/token-scope";
import { route } from "@/lib/http/route";
import { deleteSshKey } from "@/lib/ssh/user-keys";

type Ctx = { params: Promise<{ id: string }> };

export const DELETE = route(async (_req: Request, { params }: Ctx) => {
  const { id } = await params;
  const user = await requireUser();
  requireTokenScope(user, "devboxes:ssh");
  await deleteSshKey(await getDb(), user.id, id);
  return new Response(null, { status: 204 });
});
