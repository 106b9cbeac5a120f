import type { EventView } from "@/lib/devboxes/k8s-events";

/** Kubernetes events as the team reads them (warnings stand out, repeats counted); devbox and app pages. */
export function EventsList({ events }: { events: EventView[] }) {
  if (events.length === 0) return <p className="text-sm text-zinc-500">No events.</p>;
  return (
    <ul className="space-y-2 text-sm" data-testid="events">
      {events.map((e, i) => (
        <li key={i} data-type={e.type}>
          <span className={e.type === "Warning" ? "font-medium text-amber-700 dark:text-amber-400" : "font-medium"}>{e.reason}</span>
          {e.count > 1 && <span className="text-xs text-zinc-500"> ×{e.count}</span>}
          {e.explanation && <span className="block text-xs" data-testid="event-explanation">{e.explanation}</span>}
          <span className="block text-xs text-zinc-500">{e.message}</span>
        </li>
      ))}
    </ul>
  );
}
