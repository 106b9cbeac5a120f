import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { accessWatcher } from "@/lib/auth/access-watch";
import { requireTeamRole } from "@/lib/authz/team-access";
import { tokenAllowsDevbox } from "@/lib/authz/token-scope";
import { onDevboxChange } from "@/lib/devboxes/change-bus";
import { findDevboxById, pendingOperations } from "@/lib/devboxes/queries";
import { devboxView, loadTeamDevboxViews } from "@/lib/devboxes/view";
import { route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/**
 * Server-sent events: the team's devboxes now, then each change as it happens. Changes come from
 * the in-process Pod watch and request bus, so an open page costs no Kubernetes request.
 */
export const GET = route(async (req: Request, { params }: { params: Promise<{ team: string }> }) => {
  const user = await requireUser();
  const team = await requireTeamRole(user, (await params).team, "viewer");
  const db = await getDb();
  const encoder = new TextEncoder();
  let cleanup = () => {};

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: string, data: unknown) => {
        try {
          controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
        } catch {
          cleanup();
        }
      };
      // A token restricted to named devboxes hears of those only, as the list endpoint shows.
      const views = (await loadTeamDevboxViews(db, team.id)).filter((d) => tokenAllowsDevbox(user, d.name));
      send("snapshot", views);
      // Only this team's devboxes are ever mentioned, removals included.
      const known = new Set(views.map((d) => d.id));

      // Coalesce bursts (a Pod update fires several events) into one message per devbox.
      const dirty = new Set<string>();
      let flushTimer: NodeJS.Timeout | undefined;
      const flush = async () => {
        flushTimer = undefined;
        const ids = [...dirty];
        dirty.clear();
        const ops = await pendingOperations(db, ids);
        for (const id of ids) {
          const d = await findDevboxById(db, id);
          if (!d) {
            if (known.delete(id)) send("removed", { id });
          } else if (d.teamId === team.id && tokenAllowsDevbox(user, d.name)) {
            known.add(id);
            send("devbox", devboxView(d, ops.get(id)));
          }
        }
      };
      const unsubscribe = onDevboxChange((id) => {
        dirty.add(id);
        flushTimer ??= setTimeout(() => void flush().catch(() => {}), 100);
      });
      const heartbeat = setInterval(() => send("ping", Date.now()), 25_000);
      // Revocation (sign out everywhere, removed from the team): a `revoked` event, then the end.
      const access = accessWatcher().watch(
        { userId: user.id, sessionVersion: user.sessionVersion, sessionId: user.sessionId, teamId: team.id, minRole: "viewer", tokenId: user.token?.id },
        (reason) => {
          send("revoked", { reason });
          cleanup();
          try {
            controller.close();
          } catch {
            // already closed
          }
        },
      );
      cleanup = () => {
        access.stop();
        unsubscribe();
        clearInterval(heartbeat);
        clearTimeout(flushTimer);
      };
      req.signal.addEventListener("abort", () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache, no-transform", Connection: "keep-alive" },
  });
});
