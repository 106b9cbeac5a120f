import { getDb } from "@/db/client";
import { readQuery } from "@/lib/api/body";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { route } from "@/lib/http/route";
import { UsageQuery } from "@/lib/usage/schemas";
import { devboxUsage } from "@/lib/usage/service";

/** GET ?window=hour|day: the devbox's CPU, memory, disk and network history (chart columns), limits and warnings. */
export const GET = route(async (req: Request, { params }: { params: Promise<{ team: string; name: string }> }) => {
  const { team, name } = await params;
  const { devbox } = await requireDevboxRole(await requireUser(), team, name, "viewer");
  const { window } = readQuery(req, UsageQuery);
  return Response.json(await devboxUsage(await getDb(), devbox, window ?? "hour"), { headers: { "Cache-Control": "no-store" } });
});
