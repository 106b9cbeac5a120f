"use client";

import Link from "next/link";
import { useMemo, useState } from "react";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { DEVBOX_STATES, type DevboxState } from "@/lib/devboxes/status";
import type { DevboxFacts } from "@/lib/devboxes/facts";
import type { DevboxView } from "@/lib/devboxes/view";
import { DevboxFactsLine } from "./devbox-facts";
import { LifecycleButtons } from "./lifecycle-buttons";
import { StateBadge } from "./state-badge";
import { useDevboxStream } from "./use-devbox-stream";
import { useNarrow } from "./use-narrow";

type SortKey = "name" | "state" | "created";

export function DevboxList({ teamSlug, initial, canEdit, facts = {} }: { teamSlug: string; initial: DevboxView[]; canEdit: boolean; facts?: Record<string, DevboxFacts> }) {
  const { devboxes, connected } = useDevboxStream(teamSlug, initial);
  const [query, setQuery] = useState("");
  const [stateFilter, setStateFilter] = useState<DevboxState | "">("");
  const [sort, setSort] = useState<SortKey>("name");

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return devboxes
      .filter((d) => (!q || d.name.includes(q) || d.image.toLowerCase().includes(q)) && (!stateFilter || d.status.state === stateFilter))
      .sort((a, b) =>
        sort === "name" ? a.name.localeCompare(b.name) : sort === "state" ? a.status.state.localeCompare(b.status.state) || a.name.localeCompare(b.name) : b.createdAt.localeCompare(a.createdAt),
      );
  }, [devboxes, query, stateFilter, sort]);

  const narrow = useNarrow();
  const buttons = (d: DevboxView) => canEdit && <LifecycleButtons teamSlug={teamSlug} devbox={d} compact />;

  const newButton = canEdit ? (
    <Link href={`/t/${teamSlug}/devboxes/new`} className={buttonClass("primary")} data-testid="new-devbox">
      New devbox
    </Link>
  ) : null;

  if (devboxes.length === 0)
    return (
      <EmptyState title="No devboxes yet" action={newButton}>
        A devbox is a container that behaves like a VM: a terminal in the browser, packages installed anywhere, and everything kept across stops.
        {!canEdit && (
          <p className="mt-2" data-testid="empty-viewer-hint">
            You can look but not create here: ask an owner or admin on the <Link href={`/t/${teamSlug}/members`} className="text-indigo-600 hover:underline dark:text-indigo-400">Members</Link> page for the developer role.
          </p>
        )}
      </EmptyState>
    );

  return (
    <div className="space-y-4" data-testid="devbox-list" data-live={connected ? "connected" : "connecting"}>
      <div className="flex flex-wrap items-center gap-2">
        <label className="sr-only" htmlFor="devbox-search">Search devboxes</label>
        <input
          id="devbox-search"
          type="search"
          placeholder="Search by name or image"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          className="w-full max-w-xs rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
        />
        <label className="sr-only" htmlFor="devbox-state-filter">Filter by state</label>
        <select id="devbox-state-filter" value={stateFilter} onChange={(e) => setStateFilter(e.target.value as DevboxState | "")} className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900">
          <option value="">All states</option>
          {DEVBOX_STATES.map((s) => (
            <option key={s} value={s}>{s}</option>
          ))}
        </select>
        <label className="sr-only" htmlFor="devbox-sort">Sort</label>
        <select id="devbox-sort" value={sort} onChange={(e) => setSort(e.target.value as SortKey)} className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900">
          <option value="name">Sort by name</option>
          <option value="state">Sort by state</option>
          <option value="created">Newest first</option>
        </select>
        <div className="ml-auto">{newButton}</div>
      </div>
      <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        <table className="w-full text-left text-sm">
          <thead className="border-b border-zinc-200 text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
            <tr>
              <th className="px-4 py-2 font-medium">Name</th>
              <th className="px-4 py-2 font-medium">State</th>
              <th className="hidden px-4 py-2 font-medium md:table-cell">Resources</th>
              {!narrow && <th className="px-4 py-2 font-medium"><span className="sr-only">Actions</span></th>}
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {shown.map((d) => (
              <tr key={d.id} data-testid={`devbox-row-${d.name}`}>
                <td className="px-4 py-2.5">
                  <Link href={`/t/${teamSlug}/devboxes/${d.name}`} className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">{d.name}</Link>
                  <div className="max-w-[12rem] truncate font-mono text-xs text-zinc-500 sm:max-w-md" title={d.image}>{d.image}</div>
                  <DevboxFactsLine view={d} facts={facts[d.id]} className="max-w-[12rem] sm:max-w-md" />
                </td>
                <td className="px-4 py-2.5">
                  <StateBadge state={d.status.state} reason={d.status.reason} />
                  {d.status.state === "Error" && d.status.reason && <div className="mt-1 max-w-xs text-xs text-red-600 dark:text-red-400">{d.status.reason}</div>}
                  {/* On a phone the buttons go under the state: a fourth column would be cut off. */}
                  {narrow && <div className="mt-2">{buttons(d)}</div>}
                </td>
                <td className="hidden px-4 py-2.5 text-zinc-500 md:table-cell">
                  {d.cpuMillis / 1000} CPU · {d.memoryMiB / 1024} GiB · {d.diskMiB / 1024} GiB disk
                </td>
                {!narrow && <td className="px-4 py-2.5 text-right">{buttons(d)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
        {shown.length === 0 && <p className="px-4 py-6 text-center text-sm text-zinc-500">No devbox matches.</p>}
      </div>
    </div>
  );
}
