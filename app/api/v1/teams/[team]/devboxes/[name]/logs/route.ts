import { readQuery } from "@/lib/api/body";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { devboxLogs } from "@/lib/devboxes/logs";
import { LogsQuery } from "@/lib/devboxes/schemas";
import { route } from "@/lib/http/route";

/** The devbox container's last output lines, as plain text. Developers only: output can hold secrets. */
export const GET = route(async (req: Request, { params }: { params: Promise<{ team: string; name: string }> }) => {
  const { team: slug, name } = await params;
  const { team, devbox } = await requireDevboxRole(await requireUser(), slug, name, "developer", { scope: "devboxes:read" });
  const { tailLines } = readQuery(req, LogsQuery);
  const text = await devboxLogs(team.namespace, devbox, tailLines ?? 200);
  return new Response(text, { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
});
