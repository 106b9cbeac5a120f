"use client";

import type { DevboxFacts } from "@/lib/devboxes/facts";
import { formatAge } from "@/lib/devboxes/format-age";
import type { DevboxView } from "@/lib/devboxes/view";
import { formatBytes } from "@/lib/snapshots/format";
import { useNow } from "./use-now";

/** How long it has run, what was saved last and who made it: one line under the name (list) or a row (detail). */
export function DevboxFactsLine({ view, facts, className = "" }: { view: DevboxView; facts?: DevboxFacts; className?: string }) {
  const now = useNow();
  const running = view.status.state === "Running" && view.status.runningSince;
  const items: React.ReactNode[] = [];
  if (running && now !== null)
    items.push(<span key="up" data-testid="fact-uptime">running for {formatAge(view.status.runningSince!, now)}</span>);
  if (facts?.lastSnapshot)
    items.push(
      <span key="snap" data-testid="fact-last-snapshot">
        saved {now !== null ? `${formatAge(facts.lastSnapshot.at, now)} ago` : <time dateTime={facts.lastSnapshot.at}>{facts.lastSnapshot.at.slice(0, 16).replace("T", " ")} UTC</time>} (
        {formatBytes(facts.lastSnapshot.bytesAdded)})
      </span>,
    );
  else if (facts) items.push(<span key="snap" data-testid="fact-last-snapshot">no snapshot yet</span>);
  if (facts?.createdBy) items.push(<span key="by" className="break-all" data-testid="fact-created-by">created by {facts.createdBy}</span>);
  if (items.length === 0) return null;
  return (
    <p className={`flex flex-wrap gap-x-1 text-xs text-zinc-500 ${className}`} data-testid="devbox-facts">
      {items.map((item, i) => (
        <span key={i}>
          {i > 0 && <span aria-hidden>· </span>}
          {item}
        </span>
      ))}
    </p>
  );
}
