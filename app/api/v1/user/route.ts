import { requireUser } from "@/lib/auth/session";
import { route } from "@/lib/http/route";

/** The signed-in user (or the token's owner): what `devbox login` shows. */
export const GET = route(async () => {
  const user = await requireUser();
  return Response.json({ id: user.id, email: user.email, name: user.name, isInstanceAdmin: user.isInstanceAdmin });
});
