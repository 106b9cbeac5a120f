import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { pendingOperations } from "@/lib/devboxes/queries";
import { parseUpdateBody } from "@/lib/devboxes/request-body";
import { deleteDevbox, updateDevbox } from "@/lib/devboxes/service";
import { devboxView } from "@/lib/devboxes/view";
import { route } from "@/lib/http/route";

type Ctx = { params: Promise<{ team: string; name: string }> };

export const GET = route(async (_req: Request, { params }: Ctx) => {
  const { team, name } = await params;
  const { devbox } = await requireDevboxRole(await requireUser(), team, name, "viewer");
  const pending = await pendingOperations(await getDb(), [devbox.id]);
  return Response.json(devboxView(devbox, pending.get(devbox.id)));
});

/** Changes resources, env or ports; the Pod is recreated to apply them. */
export const PATCH = route(async (req: Request, { params }: Ctx) => {
  const { team: slug, name } = await params;
  const user = await requireUser();
  const { team } = await requireDevboxRole(user, slug, name, "developer");
  const updated = await updateDevbox(await getDb(), team, user.id, name, await parseUpdateBody(req));
  return Response.json(devboxView(updated));
});

export const DELETE = route(async (_req: Request, { params }: Ctx) => {
  const { team: slug, name } = await params;
  const user = await requireUser();
  const { team } = await requireDevboxRole(user, slug, name, "developer");
  await deleteDevbox(await getDb(), team, user.id, name);
  return new Response(null, { status: 202 });
});
