"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { ShareTerminalButton } from "./share-terminal-button";
import { TerminalView } from "./terminal-view";

interface Tab {
  id: string;
  n: number;
  title?: string;
}

const storageKey = (team: string, devbox: string) => `devbox:terminals:${team}/${devbox}`;

// crypto.randomUUID() exists only in secure contexts; getRandomValues also on plain http.
function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

function newTab(tabs: Tab[]): Tab {
  return { id: randomId(), n: Math.max(0, ...tabs.map((t) => t.n)) + 1 };
}

/**
 * Several terminals on one devbox, as tabs. The tabs' session ids live in localStorage, so a
 * reload (or the full-page view) re-attaches to the same shells. Inactive tabs stay mounted and
 * connected; closing a tab ends its shell.
 */
export function TerminalTabs({ teamSlug, devboxName, className = "", running }: { teamSlug: string; devboxName: string; className?: string; running?: boolean }) {
  const [tabs, setTabs] = useState<Tab[] | null>(null);
  const [active, setActive] = useState<string | null>(null);
  const enders = useRef(new Map<string, () => void>());

  useEffect(() => {
    let saved: Tab[] = [];
    try {
      saved = (JSON.parse(localStorage.getItem(storageKey(teamSlug, devboxName)) ?? "[]") as Tab[]).filter((t) => typeof t.id === "string" && typeof t.n === "number");
    } catch {
      /* start fresh */
    }
    if (saved.length === 0) saved = [newTab([])];
    setTabs(saved);
    setActive(saved[0].id);
  }, [teamSlug, devboxName]);

  useEffect(() => {
    if (tabs) localStorage.setItem(storageKey(teamSlug, devboxName), JSON.stringify(tabs.map(({ id, n }) => ({ id, n }))));
  }, [tabs, teamSlug, devboxName]);

  const add = () => {
    const t = newTab(tabs ?? []);
    setTabs([...(tabs ?? []), t]);
    setActive(t.id);
  };

  const close = (id: string) => {
    enders.current.get(id)?.();
    enders.current.delete(id);
    const rest = (tabs ?? []).filter((t) => t.id !== id);
    const next = rest.length ? rest : [newTab([])];
    setTabs(next);
    if (active === id) setActive(next[Math.max(0, (tabs ?? []).findIndex((t) => t.id === id) - 1)]?.id ?? next[0].id);
  };

  const setTitle = useCallback((id: string, title: string) => setTabs((ts) => ts?.map((t) => (t.id === id ? { ...t, title } : t)) ?? ts), []);

  if (!tabs) return <div className={`rounded-lg bg-zinc-900 ${className}`} data-testid="terminal-loading" />;
  return (
    <div className={`flex min-h-0 flex-col overflow-hidden rounded-lg border border-zinc-800 bg-zinc-900 ${className}`} data-testid="terminal-tabs">
      <div className="flex items-center gap-1 overflow-x-auto border-b border-zinc-800 px-2 pt-1.5" role="tablist">
        {tabs.map((t) => (
          <div
            key={t.id}
            className={`group flex items-center gap-1 rounded-t-md px-3 py-1 text-xs ${t.id === active ? "bg-zinc-800 text-zinc-100" : "text-zinc-400 hover:bg-zinc-800/60"}`}
          >
            <button role="tab" aria-selected={t.id === active} onClick={() => setActive(t.id)} className="max-w-48 truncate" data-testid="terminal-tab" title={t.title}>
              {t.title ? `${t.n}: ${t.title}` : `Terminal ${t.n}`}
            </button>
            <button onClick={() => close(t.id)} className="rounded px-1 text-zinc-500 hover:bg-zinc-700 hover:text-zinc-100" aria-label={`Close terminal ${t.n}`} data-testid="terminal-tab-close">
              ×
            </button>
          </div>
        ))}
        <button onClick={add} className="rounded px-2 py-1 text-xs text-zinc-400 hover:bg-zinc-800 hover:text-zinc-100" aria-label="New terminal" data-testid="terminal-new-tab">
          +
        </button>
      </div>
      <div className="min-h-0 flex-1">
        {tabs.map((t) => (
          <TerminalView
            key={t.id}
            teamSlug={teamSlug}
            devboxName={devboxName}
            sessionId={t.id}
            active={t.id === active}
            running={running}
            onTitle={(title) => setTitle(t.id, title)}
            registerEnd={(end) => void enders.current.set(t.id, end)}
            headerExtra={<ShareTerminalButton teamSlug={teamSlug} devboxName={devboxName} sessionId={t.id} />}
          />
        ))}
      </div>
    </div>
  );
}
