import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTokenScope } from "@/lib/authz/token-scope";
import { AppError } from "@/lib/errors";
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
  const parsed = addSshKeyBody.safeParse(await req.json().catch(() => null));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("bad_request", issue.message, issue.path.length ? { field: String(issue.path[0]) } : {});
  }
  return Response.json(await addSshKey(await getDb(), user.id, parsed.data), { status: 201 });
});
