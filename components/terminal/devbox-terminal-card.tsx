"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { Card } from "@/components/ui/card";
import { TerminalTabs } from "./terminal-tabs";

/**
 * The terminal section of the devbox page. Shown once the devbox runs, and kept while it stops,
 * so its terminals can show why they closed (and offer to reconnect when it runs again).
 */
export function DevboxTerminalCard({ teamSlug, devboxName, running }: { teamSlug: string; devboxName: string; running: boolean }) {
  const [shown, setShown] = useState(running);
  useEffect(() => {
    if (running) setShown(true);
  }, [running]);
  return (
    <Card
      title="Terminal"
      actions={
        <Link href={`/t/${teamSlug}/devboxes/${devboxName}/terminal`} className="text-sm text-indigo-600 hover:underline dark:text-indigo-400" data-testid="terminal-full-page">
          Full page
        </Link>
      }
    >
      {shown ? (
        <TerminalTabs teamSlug={teamSlug} devboxName={devboxName} className="h-96" running={running} />
      ) : (
        <p className="text-sm text-zinc-500" data-testid="terminal-unavailable">
          The terminal opens when the devbox is running.
        </p>
      )}
    </Card>
  );
}
