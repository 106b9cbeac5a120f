"use client";

import Link from "next/link";
import { useActionState, useState, useTransition } from "react";
import { forkSnapshotAction, startFromSnapshotAction } from "@/app/(app)/t/[team]/devboxes/[name]/snapshots/actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field } from "@/components/ui/field";
import { formatBytes, formatDuration } from "@/lib/snapshots/format";
import type { SnapshotView } from "@/lib/snapshots/view";

const triggerLabel: Record<SnapshotView["trigger"], string> = {
  stop: "Stop",
  commit: "Commit",
  restart: "Restart",
  update: "Update",
  periodic: "Periodic",
  merge: "Layers merged",
  fork: "Forked",
  recovery: "Recovered after the node restarted",
};

export function SnapshotHistory(props: { teamSlug: string; devboxName: string; currentImage: string; stopped: boolean; canEdit: boolean; snapshots: SnapshotView[] }) {
  const { teamSlug, devboxName, snapshots } = props;
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [restoring, setRestoring] = useState<SnapshotView | null>(null);
  const [forking, setForking] = useState<SnapshotView | null>(null);

  if (snapshots.length === 0)
    return (
      <Card title="History">
        <p className="text-sm text-zinc-500" data-testid="no-snapshots">
          No snapshots yet: the first one is taken when the devbox stops or you press Commit.{" "}
          <Link href={`/t/${teamSlug}/devboxes/${devboxName}`} className="text-indigo-600 hover:underline dark:text-indigo-400">Back to the devbox</Link> to do either.
        </p>
      </Card>
    );
  return (
    <Card title="History">
      {error && <Alert tone="error">{error}</Alert>}
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="snapshot-table">
          <thead className="text-xs text-zinc-500">
            <tr>
              <th className="py-2 pr-4 font-medium">Time (UTC)</th>
              <th className="py-2 pr-4 font-medium">Trigger</th>
              <th className="py-2 pr-4 font-medium">Added</th>
              <th className="py-2 pr-4 font-medium" title="own layers / all layers">Layers</th>
              <th className="py-2 pr-4 font-medium">By</th>
              <th className="py-2 pr-4 font-medium">Took</th>
              <th className="py-2" />
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {snapshots.map((s) => (
              <tr key={s.id} data-testid="snapshot-row" data-trigger={s.trigger}>
                <td className="py-2 pr-4 whitespace-nowrap">
                  <time dateTime={s.createdAt}>{new Date(s.createdAt).toLocaleString("en-GB", { timeZone: "UTC" })}</time>
                  {s.image === props.currentImage && <span className="ml-2 rounded bg-indigo-100 px-1.5 py-0.5 text-xs text-indigo-800 dark:bg-indigo-950 dark:text-indigo-300" data-testid="current-snapshot">next start</span>}
                  {s.pinned && <span className="ml-2 text-xs text-zinc-500">pinned</span>}
                </td>
                <td className="py-2 pr-4">{triggerLabel[s.trigger]}</td>
                <td className="py-2 pr-4 tabular-nums">{formatBytes(s.bytesAdded)}</td>
                <td className="py-2 pr-4 tabular-nums">{s.ownLayerCount} / {s.layerCount}</td>
                <td className="py-2 pr-4">{s.actorEmail ?? "system"}</td>
                <td className="py-2 pr-4 tabular-nums">{formatDuration(s.durationMs)}</td>
                <td className="py-2 text-right whitespace-nowrap">
                  {props.canEdit && (
                    <>
                      <Button
                        variant="ghost"
                        className="px-2 py-1 text-xs"
                        disabled={pending || !props.stopped}
                        title={props.stopped ? "Start the devbox from this snapshot" : "Stop the devbox first"}
                        onClick={() => setRestoring(s)}
                        data-testid="action-start-from"
                      >
                        Start from
                      </Button>
                      <Button variant="ghost" className="px-2 py-1 text-xs" disabled={pending} onClick={() => setForking(s)} data-testid="action-fork">
                        Fork…
                      </Button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {restoring && (
        <ConfirmDialog
          open
          title="Start from this snapshot?"
          confirmLabel="Start"
          onCancel={() => setRestoring(null)}
          onConfirm={() => {
            const s = restoring;
            setRestoring(null);
            setError(null);
            start(async () => {
              const res = await startFromSnapshotAction(teamSlug, devboxName, s.id);
              if (res && !res.ok) setError(res.error.message);
            });
          }}
        >
          The devbox starts with its files as they were at {new Date(restoring.createdAt).toLocaleString("en-GB", { timeZone: "UTC" })} UTC. Newer snapshots stay in the history.
        </ConfirmDialog>
      )}
      {forking && <ForkForm teamSlug={teamSlug} devboxName={devboxName} snapshot={forking} onCancel={() => setForking(null)} />}
    </Card>
  );
}

function ForkForm({ teamSlug, devboxName, snapshot, onCancel }: { teamSlug: string; devboxName: string; snapshot: SnapshotView; onCancel: () => void }) {
  const [state, action, pending] = useActionState(forkSnapshotAction.bind(null, teamSlug, devboxName, snapshot.id), null);
  const error = state && !state.ok ? state.error : null;
  return (
    <form action={action} className="mt-4 space-y-3 rounded-md border border-zinc-200 p-4 dark:border-zinc-800" data-testid="fork-form">
      <p className="text-sm">A new devbox with the same resources, starting from the snapshot of {new Date(snapshot.createdAt).toLocaleString("en-GB", { timeZone: "UTC" })} UTC.</p>
      <Field id="fork-name" name="name" label="Name of the new devbox" required autoFocus defaultValue={`${devboxName}-fork`} error={error?.field === "name" ? error.message : undefined} />
      {error && error.field !== "name" && <Alert tone="error">{error.message}</Alert>}
      <div className="flex gap-2">
        <Button type="submit" disabled={pending} data-testid="fork-submit">{pending ? "Forking…" : "Create devbox"}</Button>
        <Button type="button" variant="ghost" onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
