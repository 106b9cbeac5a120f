import { getDb } from "@/db/client";
import { readQuery } from "@/lib/api/body";
import { paginate, PageQuery } from "@/lib/api/pagination";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { commitDevbox } from "@/lib/snapshots/requests";
import { listSnapshots } from "@/lib/snapshots/service";
import { snapshotView } from "@/lib/snapshots/view";
import { route } from "@/lib/http/route";

type Ctx = { params: Promise<{ team: string; name: string }> };

/** The devbox's snapshots, newest first. */
export const GET = route(async (req: Request, { params }: Ctx) => {
  const { team, name } = await params;
  const { devbox } = await requireDevboxRole(await requireUser(), team, name, "viewer");
  const page = readQuery(req, PageQuery);
  const views = (await listSnapshots(await getDb(), devbox.id)).map((s) => snapshotView(s));
  return Response.json(paginate(views, (s) => `${s.createdAt}\u0000${s.id}`, page, "desc"));
});

/** POST a snapshot: commits the running container now; answers once the registry has it. */
export const POST = route(async (_req: Request, { params }: Ctx) => {
  const { team: slug, name } = await params;
  const user = await requireUser();
  const { team } = await requireDevboxRole(user, slug, name, "developer");
  const snap = await commitDevbox(await getDb(), team, user.id, name);
  return Response.json(snapshotView(snap), { status: 201 });
});
