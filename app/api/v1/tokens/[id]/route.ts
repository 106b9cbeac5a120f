import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { route } from "@/lib/http/route";
import { revokeToken } from "@/lib/tokens/service";

type Ctx = { params: Promise<{ id: string }> };

/** Revokes one of the caller's tokens (a token may revoke itself or its user's others). */
export const DELETE = route(async (_req: Request, { params }: Ctx) => {
  const { id } = await params;
  const user = await requireUser();
  await revokeToken(await getDb(), user.id, id);
  return new Response(null, { status: 204 });
});
