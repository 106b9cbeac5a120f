"use client";

import { useDevboxStream } from "@/components/devboxes/use-devbox-stream";
import type { DevboxView } from "@/lib/devboxes/view";
import { TerminalTabs } from "./terminal-tabs";

/** The full-page terminal with the devbox's live state: says when it is not running, reconnects when it is. */
export function LiveTerminalTabs({ teamSlug, initial, back }: { teamSlug: string; initial: DevboxView; back: React.ReactNode }) {
  const { devboxes } = useDevboxStream(teamSlug, [initial]);
  const state = devboxes.find((d) => d.id === initial.id)?.status.state ?? "Deleting";
  return (
    <>
      <div className="flex items-center justify-between gap-3">
        {back}
        {state !== "Running" && (
          <span className="text-sm text-amber-700 dark:text-amber-400" data-testid="terminal-devbox-state">
            The devbox is {state.toLowerCase()}.
          </span>
        )}
      </div>
      <TerminalTabs teamSlug={teamSlug} devboxName={initial.name} className="flex-1" running={state === "Running"} />
    </>
  );
}
