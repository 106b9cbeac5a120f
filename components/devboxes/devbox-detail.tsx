"use client";

import Link from "next/link";
import { CommitButton } from "@/components/snapshots/commit-button";
import { CommitProgress } from "@/components/snapshots/commit-progress";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { DevboxTerminalCard } from "@/components/terminal/devbox-terminal-card";
import type { DevboxFacts } from "@/lib/devboxes/facts";
import type { DevboxView } from "@/lib/devboxes/view";
import { DevboxFactsLine } from "./devbox-facts";
import { LifecycleButtons } from "./lifecycle-buttons";
import { StateBadge } from "./state-badge";
import { useDevboxStream } from "./use-devbox-stream";
import { useRefreshOnChange } from "./use-refresh-on-change";

export function DevboxDetail({ teamSlug, initial, canEdit, facts }: { teamSlug: string; initial: DevboxView; canEdit: boolean; facts?: DevboxFacts }) {
  const { devboxes } = useDevboxStream(teamSlug, [initial]);
  // Gone from the stream: deleted (the stream's snapshot no longer has it).
  const d = devboxes.find((x) => x.id === initial.id);
  useRefreshOnChange(d);
  if (!d)
    return (
      <Card title={initial.name}>
        <p className="text-sm text-zinc-500" data-testid="devbox-gone">This devbox was deleted. <Link href={`/t/${teamSlug}`} className="text-indigo-600 hover:underline">Back to the list</Link></p>
      </Card>
    );
  // A failed commit known only from the DB (another replica, a restart) still offers the way out.
  const commit =
    d.status.commit ??
    (d.status.reason?.startsWith("Saving the devbox's changes failed") ? { phase: "error", bytes: 0, startedAt: 0, trigger: "stop", error: d.status.reason } : undefined);
  return (
    <div className="space-y-6" data-testid="devbox-detail">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h2 className="flex items-center gap-3 text-xl font-semibold">
            {d.name} <StateBadge state={d.status.state} reason={d.status.reason} />
          </h2>
          <p className="mt-1 break-all font-mono text-xs text-zinc-500">{d.image}</p>
          <DevboxFactsLine view={d} facts={facts} className="mt-1" />
          {commit && <CommitProgress teamSlug={teamSlug} name={d.name} commit={commit} canForce={canEdit && d.status.state !== "Running"} />}
          {d.status.reason && !commit && (
            <p className={`mt-2 text-sm ${d.status.state === "Error" ? "text-red-600 dark:text-red-400" : "text-zinc-500"}`} data-testid="devbox-reason">
              {d.status.reason}
            </p>
          )}
        </div>
        {canEdit && (
          <div className="flex flex-wrap items-center gap-2">
            <LifecycleButtons teamSlug={teamSlug} devbox={d} afterDelete={`/t/${teamSlug}`} />
            <CommitButton teamSlug={teamSlug} name={d.name} disabled={d.status.state !== "Running" || !!d.status.commit} />
            <Link href={`/t/${teamSlug}/devboxes/${d.name}/edit`} className={buttonClass("secondary")} data-testid="action-edit">Edit</Link>
          </div>
        )}
      </div>
      <div className="-mt-3 text-sm">
        <Link href={`/t/${teamSlug}/devboxes/${d.name}/snapshots`} className="text-indigo-600 hover:underline" data-testid="snapshots-link">Snapshots and history →</Link>
      </div>
      {canEdit && <DevboxTerminalCard teamSlug={teamSlug} devboxName={d.name} running={d.status.state === "Running"} />}
      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Resources">
          <dl className="grid grid-cols-2 gap-y-2 text-sm" data-testid="resources">
            <dt className="text-zinc-500">CPU</dt><dd>{d.cpuMillis / 1000} {d.cpuMillis === 1000 ? "core" : "cores"}</dd>
            <dt className="text-zinc-500">Memory</dt><dd>{d.memoryMiB / 1024} GiB</dd>
            <dt className="text-zinc-500">Disk</dt><dd>{d.diskMiB / 1024} GiB</dd>
            <dt className="text-zinc-500">Container</dt><dd className="font-mono text-xs">{d.status.podName ?? "—"}</dd>
            <dt className="text-zinc-500">IP</dt><dd className="font-mono text-xs">{d.status.podIP ?? "—"}</dd>
          </dl>
        </Card>
        <Card title="Ports">
          {d.ports.length === 0 ? (
            <p className="text-sm text-zinc-500">No ports exposed.</p>
          ) : (
            <ul className="space-y-1 text-sm">
              {d.ports.map((p) => (
                <li key={p.port}><span className="font-mono">{p.port}</span> <span className="text-zinc-500">{p.name}</span></li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </div>
  );
}
