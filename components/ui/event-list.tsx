import type { EventView } from "@/lib/devboxes/k8s-events";

/** Kubernetes events (lib/devboxes/k8s-events.ts, lib/apps/events.ts), newest first: reason, repeat count, message. */
export function EventList({ events }: { events: EventView[] }) {
  if (events.length === 0) return <p className="text-sm text-zinc-500">No events.</p>;
  return (
    <ul className="space-y-2 text-sm">
      {events.map((e, i) => (
        <li key={i}>
          <span className={e.type === "Warning" ? "font-medium text-amber-700 dark:text-amber-400" : "font-medium"}>{e.reason}</span>
          {e.count > 1 && <span className="text-xs text-zinc-500"> ×{e.count}</span>}
          <span className="block text-xs text-zinc-500">{e.message}</span>
        </li>
      ))}
    </ul>
  );
}
