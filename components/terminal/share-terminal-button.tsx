"use client";

import { useCallback, useEffect, useState } from "react";
import { apiCall as call } from "@/lib/api/browser-client";
import type { TerminalShareView } from "@/lib/terminal/schemas";

/** The owner's "Share" control on one terminal tab: invite a teammate (read-only or read-write), see and revoke. */
export function ShareTerminalButton({ teamSlug, devboxName, sessionId }: { teamSlug: string; devboxName: string; sessionId: string }) {
  const base = `/api/v1/teams/${encodeURIComponent(teamSlug)}/devboxes/${encodeURIComponent(devboxName)}/terminal-shares`;
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState("");
  const [mode, setMode] = useState<"read" | "write">("read");
  const [shares, setShares] = useState<TerminalShareView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => setShares((await call<{ shares: TerminalShareView[] }>("GET", base)).shares.filter((s) => s.sessionId === sessionId)), [base, sessionId]);
  useEffect(() => {
    if (open) void load().catch((e) => setError(e.message));
  }, [open, load]);

  return (
    <span className="relative">
      <button className="rounded px-2 py-0.5 text-zinc-300 hover:bg-zinc-800" onClick={() => setOpen(!open)} data-testid="terminal-share">
        Share{shares.length ? ` (${shares.length})` : ""}
      </button>
      {open && (
        <div className="absolute right-0 z-10 mt-1 w-80 space-y-2 rounded-md border border-zinc-700 bg-zinc-900 p-3 text-xs text-zinc-200 shadow-lg" data-testid="terminal-share-panel">
          <form
            className="space-y-2"
            onSubmit={async (e) => {
              e.preventDefault();
              try {
                await call("POST", base, { sessionId, email, mode });
                setEmail("");
                setError(null);
                await load();
              } catch (err) {
                setError((err as Error).message);
              }
            }}
          >
            <input className="w-full rounded border border-zinc-700 bg-zinc-950 px-2 py-1" placeholder="teammate@example.com" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="terminal-share-email" />
            <div className="flex items-center gap-2">
              <select className="rounded border border-zinc-700 bg-zinc-950 px-2 py-1" value={mode} onChange={(e) => setMode(e.target.value as "read" | "write")} data-testid="terminal-share-mode-select">
                <option value="read">Read-only</option>
                <option value="write">Read-write</option>
              </select>
              <button type="submit" className="rounded bg-indigo-600 px-2 py-1 text-white" data-testid="terminal-share-submit">Share this terminal</button>
            </div>
          </form>
          {error && <p className="text-red-400" role="alert">{error}</p>}
          <ul className="space-y-1">
            {shares.map((s) => (
              <li key={s.id} className="flex items-center justify-between gap-2" data-testid="terminal-share-item">
                <span>
                  {s.guest} · {s.mode === "read" ? "read-only" : "read-write"}{" "}
                  <a className="text-indigo-400 hover:underline" href={s.url} data-testid="terminal-share-link">link</a>
                </span>
                <button className="text-red-400 hover:underline" onClick={async () => (await call("DELETE", `${base}/${s.id}`), await load())} data-testid="terminal-share-revoke">Revoke</button>
              </li>
            ))}
          </ul>
          <p className="text-zinc-500">They open the link while signed in; they see this terminal live until you revoke or close it.</p>
        </div>
      )}
    </span>
  );
}
