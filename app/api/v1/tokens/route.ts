import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireNoToken } from "@/lib/authz/token-scope";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { createTokenBody } from "@/lib/tokens/schemas";
import { createToken, listTokens } from "@/lib/tokens/service";

/** The caller's own tokens (never their secrets). A token may list its user's tokens. */
export const GET = route(async () => {
  const user = await requireUser();
  return Response.json({ items: await listTokens(await getDb(), user.id) });
});

/** Creates a token; the response is the only time its secret is shown. Needs a browser session. */
export const POST = route(async (req: Request) => {
  const user = await requireUser();
  requireNoToken(user, "Creating an API token");
  const parsed = createTokenBody.safeParse(await req.json().catch(() => null));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("bad_request", issue.message, issue.path.length ? { field: String(issue.path[0]) } : {});
  }
  const { token, view } = await createToken(await getDb(), user, parsed.data);
  return Response.json({ ...view, token }, { status: 201, headers: { "Cache-Control": "no-store" } });
});
