"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { keepRunning } from "./idle-api";

/** The idle warning inside a terminal (sent by the server as an "idle-warning" message). */
export function IdleTerminalWarning({ team, devbox, warning, canKeep, onDone }: { team: string; devbox: string; warning: { stopAt: string; message: string }; canKeep: boolean; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="flex flex-wrap items-center justify-between gap-2 border-b border-amber-700 bg-amber-950 px-3 py-1.5 text-xs text-amber-200" role="alert" data-testid="terminal-idle-warning" data-stop-at={warning.stopAt}>
      <span>{error ?? warning.message}</span>
      {canKeep && (
        <Button
          variant="secondary"
          className="!px-2 !py-0.5 text-xs"
          disabled={busy}
          data-testid="terminal-keep-running"
          onClick={() => {
            setBusy(true);
            keepRunning(team, devbox).then(onDone, (e: Error) => setError(e.message)).finally(() => setBusy(false));
          }}
        >
          Keep running for 2 h
        </Button>
      )}
    </div>
  );
}
