"use client";

import { TerminalView } from "./terminal-view";

export function SharedTerminal({ teamSlug, devboxName, shareId, mode }: { teamSlug: string; devboxName: string; shareId: string; mode: "read" | "write" }) {
  return (
    <div className="h-[70vh] overflow-hidden rounded-lg border border-zinc-800">
      <TerminalView teamSlug={teamSlug} devboxName={devboxName} sessionId={`share-${shareId}`} active share={{ id: shareId, mode }} />
    </div>
  );
}
