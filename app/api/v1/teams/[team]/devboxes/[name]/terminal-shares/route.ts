import { getDb } from "@/db/client";
import { readBody } from "@/lib/api/body";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { route } from "@/lib/http/route";
import { createTerminalShareBody } from "@/lib/terminal/schemas";
import { listTerminalShares, shareTerminal } from "@/lib/terminal/share-service";

type Ctx = { params: Promise<{ team: string; name: string }> };

/** GET: the terminals of this devbox the user shares, with whom and how. */
export const GET = route(async (_req: Request, { params }: Ctx) => {
  const { team: slug, name } = await params;
  const user = await requireUser();
  const { team, devbox } = await requireDevboxRole(user, slug, name, "developer");
  return Response.json({ shares: listTerminalShares(user, team, devbox) });
});

/** POST {"sessionId", "email", "mode": "read"|"write"}: share one of your live terminals with a teammate. */
export const POST = route(async (req: Request, { params }: Ctx) => {
  const { team: slug, name } = await params;
  const user = await requireUser();
  const { team, devbox } = await requireDevboxRole(user, slug, name, "developer");
  const body = await readBody(req, createTerminalShareBody);
  return Response.json(await shareTerminal(await getDb(), user, team, devbox, body), { status: 201 });
});
