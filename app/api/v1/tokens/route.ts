import { getDb } from "@/db/client";
import { readBody } from "@/lib/api/body";
import { requireUser } from "@/lib/auth/session";
import { requireNoToken } from "@/lib/authz/token-scope";
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
  const { token, view } = await createToken(await getDb(), user, await readBody(req, createTokenBody));
  return Response.json({ ...view, token }, { status: 201, headers: { "Cache-Control": "no-store" } });
});
