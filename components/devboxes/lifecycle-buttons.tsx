"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { devboxLifecycleAction, type LifecycleAction } from "@/app/(app)/t/[team]/devboxes/actions";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { primaryControl } from "@/lib/devboxes/lifecycle-control";
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
  // A start/stop/restart asked for, until the page shows its effect (desired state or generation moved).
  const [inFlight, setInFlight] = useState<{ action: "start" | "stop" | "restart"; seen: string } | null>(null);
  const seen = `${devbox.desiredState}/${devbox.podGeneration}`;
  useEffect(() => setInFlight((f) => (f && f.seen !== seen ? null : f)), [seen]);
  const state = devbox.status.state;
  const on = devbox.desiredState === "running";
  const primary = primaryControl(devbox.desiredState, state, inFlight?.action);

  function run(action: LifecycleAction) {
    setAsking(null);
    setError(null);
    if (action !== "delete") setInFlight({ action, seen });
    start(async () => {
      const res = await devboxLifecycleAction(teamSlug, devbox.name, action, devbox.podGeneration);
      if (!res.ok) {
        setError(res.error.message);
        setInFlight(null);
      }
      else if (action === "delete" && afterDelete) router.push(afterDelete);
      else router.refresh();
    });
  }
  const ask = (a: LifecycleAction) => (confirmText[a] ? setAsking(a) : run(a));
  // Reversing a transition under way asks first (its text comes with the control).
  const dialog = asking === primary.action && primary.confirm ? primary.confirm : asking ? confirmText[asking] : undefined;
  const size = compact ? "px-2.5 py-1 text-xs" : "";

  return (
    <div className="flex flex-wrap items-center gap-2">
      {/* One button in one place: its label says what is under way until the devbox settles. */}
      <Button
        variant={primary.action === "stop" || primary.busy ? "secondary" : "primary"}
        className={`${size} min-w-24`}
        disabled={pending || primary.disabled}
        onClick={() => (primary.confirm ? setAsking(primary.action) : ask(primary.action))}
        data-testid={`action-${primary.action}`}
        data-busy={primary.busy}
        aria-busy={primary.busy}
      >
        {primary.busy && <span className="h-3 w-3 animate-spin rounded-full border-2 border-zinc-300 border-t-indigo-600" aria-hidden />}
        {primary.label}
      </Button>
      {!compact && (
        <Button variant="secondary" className={size} disabled={pending || !on || state === "Deleting"} onClick={() => ask("restart")} data-testid="action-restart">
          Restart
        </Button>
      )}
      <Button variant="ghost" className={`${size} text-red-600 dark:text-red-400`} disabled={pending || state === "Deleting"} onClick={() => ask("delete")} data-testid="action-delete">
        Delete
      </Button>
      {error && <span role="alert" className="text-sm text-red-600 dark:text-red-400">{error}</span>}
      {asking && dialog && (
        <ConfirmDialog
          open
          title={dialog.title}
          confirmLabel={dialog.label}
          danger={"danger" in dialog ? Boolean(dialog.danger) : undefined}
          onConfirm={() => run(asking)}
          onCancel={() => setAsking(null)}
        >
          {dialog.body}
        </ConfirmDialog>
      )}
    </div>
  );
}
