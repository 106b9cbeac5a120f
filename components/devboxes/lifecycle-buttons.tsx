"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { devboxLifecycleAction, type LifecycleAction } from "@/app/(app)/t/[team]/devboxes/actions";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { DevboxView } from "@/lib/devboxes/view";

const confirmText: Partial<Record<LifecycleAction, { title: string; body: string; label: string; danger?: boolean }>> = {
  restart: { title: "Restart this devbox?", body: "Its processes stop and a new container starts. Terminals reconnect when it is back.", label: "Restart" },
  delete: { title: "Delete this devbox?", body: "Its container and everything in it are removed. This cannot be undone.", label: "Delete", danger: true },
};

export function LifecycleButtons({ teamSlug, devbox, compact, afterDelete }: { teamSlug: string; devbox: DevboxView; compact?: boolean; afterDelete?: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [asking, setAsking] = useState<LifecycleAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const state = devbox.status.state;
  const on = devbox.desiredState === "running";

  function run(action: LifecycleAction) {
    setAsking(null);
    setError(null);
    start(async () => {
      const res = await devboxLifecycleAction(teamSlug, devbox.name, action, devbox.podGeneration);
      if (!res.ok) setError(res.error.message);
      else if (action === "delete" && afterDelete) router.push(afterDelete);
      else router.refresh();
    });
  }
  const ask = (a: LifecycleAction) => (confirmText[a] ? setAsking(a) : run(a));
  const size = compact ? "px-2.5 py-1 text-xs" : "";

  return (
    <div className="flex flex-wrap items-center gap-2">
      {on ? (
        <Button variant="secondary" className={size} disabled={pending || state === "Deleting"} onClick={() => ask("stop")} data-testid="action-stop">
          Stop
        </Button>
      ) : (
        <Button className={size} disabled={pending || state === "Deleting"} onClick={() => ask("start")} data-testid="action-start">
          Start
        </Button>
      )}
      {!compact && (
        <Button variant="secondary" className={size} disabled={pending || !on || state === "Deleting"} onClick={() => ask("restart")} data-testid="action-restart">
          Restart
        </Button>
      )}
      <Button variant="ghost" className={`${size} text-red-600 dark:text-red-400`} disabled={pending || state === "Deleting"} onClick={() => ask("delete")} data-testid="action-delete">
        Delete
      </Button>
      {error && <span role="alert" className="text-sm text-red-600 dark:text-red-400">{error}</span>}
      {asking && confirmText[asking] && (
        <ConfirmDialog
          open
          title={confirmText[asking]!.title}
          confirmLabel={confirmText[asking]!.label}
          danger={confirmText[asking]!.danger}
          onConfirm={() => run(asking)}
          onCancel={() => setAsking(null)}
        >
          {confirmText[asking]!.body}
        </ConfirmDialog>
      )}
    </div>
  );
}
