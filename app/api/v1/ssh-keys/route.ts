import { getDb } from "@/db/client";
import { readBody } from "@/lib/api/body";
import { requireUser } from "@/lib/auth/session";
import { requireTokenScope } from "@/lib/authz/token-scope";
import { route } from "@/lib/http/route";
import { addSshKeyBody } from "@/lib/ssh/schemas";
import { addSshKey, listSshKeys } from "@/lib/ssh/user-keys";

/** The caller's SSH public keys (authorized in every devbox they may open). */
export const GET = route(async () => {
  const user = await requireUser();
  requireTokenScope(user, "devboxes:ssh");
  return Response.json({ items: await listSshKeys(await getDb(), user.id) });
});

export const POST = route(async (req: Request) => {
  const user = await requireUser();
  requireTokenScope(user, "devboxes:ssh");
  return Response.json(await addSshKey(await getDb(), user.id, await readBody(req, addSshKeyBody)), { status: 201 });
});
