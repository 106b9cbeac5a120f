"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { forceStopDevboxAction } from "@/app/(app)/t/[team]/devboxes/[name]/snapshots/actions";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { CommitInfo } from "@/lib/devboxes/status";
import { formatBytes, formatDuration } from "@/lib/snapshots/format";

/**
 * A snapshot in progress: phase, bytes pushed, time so far (ticking). When it failed, the error
 * and — for a stop or restart that waits for it — a force stop that discards unsaved changes.
 */
export function CommitProgress({ teamSlug, name, commit, canForce }: { teamSlug: string; name: string; commit: CommitInfo; canForce: boolean }) {
  const router = useRouter();
  const [now, setNow] = useState(() => Date.now());
  const [asking, setAsking] = useState(false);
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (commit.error) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [commit.error]);

  return (
    <div className="mt-2 space-y-1 text-sm" data-testid="commit-progress" data-phase={commit.phase}>
      {commit.error ? (
        <p className="text-red-600 dark:text-red-400">{commit.error} Retrying automatically; the container and its files are kept.</p>
      ) : (
        <p className="text-zinc-600 dark:text-zinc-400">
          Saving changes ({commit.trigger}): <span className="font-medium">{commit.phase}</span>
          {commit.bytes > 0 && <> · {formatBytes(commit.bytes)}</>} · {formatDuration(Math.max(0, now - commit.startedAt))}
        </p>
      )}
      {commit.error && canForce && (
        <Button variant="ghost" className="px-2 py-1 text-xs text-red-600 dark:text-red-400" disabled={pending} onClick={() => setAsking(true)} data-testid="action-force-stop">
          Stop without saving…
        </Button>
      )}
      {error && <p role="alert" className="text-red-600 dark:text-red-400">{error}</p>}
      {asking && (
        <ConfirmDialog
          open
          danger
          title="Stop without saving?"
          confirmLabel="Stop and discard changes"
          onCancel={() => setAsking(false)}
          onConfirm={() => {
            setAsking(false);
            start(async () => {
              const res = await forceStopDevboxAction(teamSlug, name);
              if (!res.ok) setError(res.error.message);
              else router.refresh();
            });
          }}
        >
          Everything changed in this devbox since its last snapshot is lost. The devbox will start from its last snapshot next time.
        </ConfirmDialog>
      )}
    </div>
  );
}
