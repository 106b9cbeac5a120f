"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { api } from "@/components/releases/api";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EventsList } from "@/components/devboxes/events-list";
import { useBusyAction } from "@/components/ui/use-busy-action";
import type { EventView } from "@/lib/devboxes/k8s-events";
import type { AppView } from "@/lib/apps/view";
import { AppLogs } from "./app-logs";
import { AppSettingsFields, readAppSettings } from "./app-settings-fields";
import { AppStateBadge } from "./app-state";

/** One app: replicas live (polled from the API, which reads the cluster's watch), update, rollback, scale, stop, delete, logs, events. */
export function AppDetail({ teamSlug, initial, releaseTags, canEdit, events }: { teamSlug: string; initial: AppView; releaseTags: string[]; canEdit: boolean; events: EventView[] }) {
  const router = useRouter();
  const [app, setApp] = useState(initial);
  const [deleting, setDeleting] = useState(false);
  const refresh = useCallback(async () => setApp(await api.app(teamSlug, initial.name)), [teamSlug, initial.name]);
  useEffect(() => {
    const t = setInterval(() => void refresh().catch(() => {}), 1500);
    return () => clearInterval(t);
  }, [refresh]);
  const { act, busy, error, setError } = useBusyAction(refresh);
  return (
    <div className="space-y-6">
      {error && <Alert testId="app-error">{error}</Alert>}
      <Card
        title={app.name}
        description={`Release ${app.release?.tag ?? "?"}${app.previousRelease ? ` (before: ${app.previousRelease.tag})` : ""} · ${app.cpuMillis / 1000} CPU, ${app.memoryMiB} MiB per replica`}
        actions={<AppStateBadge state={app.status.state} />}
      >
        <p className="text-sm" data-testid="app-ready">{app.status.ready}/{app.replicas} ready · {app.status.updated} on the current release</p>
        {app.status.message && <p className="mt-1 text-sm text-red-600">{app.status.message}</p>}
        <table className="mt-3 w-full text-sm" data-testid="replicas">
          <thead className="text-left text-xs text-zinc-500"><tr><th>Replica</th><th>Release</th><th>Ready</th><th>Restarts</th><th>State</th></tr></thead>
          <tbody>
            {app.pods.map((p) => (
              <tr key={p.pod} data-testid="replica" data-ready={p.ready}>
                <td className="font-mono text-xs">{p.pod}</td>
                <td className="font-mono text-xs">{p.releaseId === app.release?.id ? app.release?.tag : p.releaseId === app.previousRelease?.id ? app.previousRelease?.tag : "other"}</td>
                <td>{p.ready ? "yes" : "no"}</td>
                <td>{p.restarts}</td>
                <td className="text-xs">{p.terminating ? "Terminating" : p.reason ?? p.phase}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {canEdit && (
          <div className="mt-4 flex flex-wrap items-end gap-2">
            <form className="flex items-end gap-2" onSubmit={(e) => {
              e.preventDefault();
              const tag = String(new FormData(e.currentTarget).get("tag"));
              const [devboxName, t] = tag.split("\u0000");
              void act(() => api.updateApp(teamSlug, app.name, { release: { devbox: devboxName, tag: t } }));
            }}>
              <label className="text-sm">Update to
                <select name="tag" className="ml-2 rounded border border-zinc-300 px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900" data-testid="update-release">
                  {releaseTags.map((t) => <option key={t} value={t}>{t.replace("\u0000", ":")}</option>)}
                </select>
              </label>
              <Button type="submit" variant="secondary" disabled={busy} data-testid="update-submit">Update</Button>
            </form>
            <Button variant="secondary" disabled={busy || !app.previousRelease} data-testid="rollback" onClick={() => void act(() => api.rollbackApp(teamSlug, app.name))}>
              Roll back{app.previousRelease ? ` to ${app.previousRelease.tag}` : ""}
            </Button>
            <form className="flex items-end gap-2" onSubmit={(e) => {
              e.preventDefault();
              void act(() => api.updateApp(teamSlug, app.name, { replicas: Number(new FormData(e.currentTarget).get("replicas")) }));
            }}>
              <input name="replicas" type="number" min={0} max={10} defaultValue={app.replicas} className="w-20 rounded border border-zinc-300 px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900" aria-label="Replicas" />
              <Button type="submit" variant="secondary" disabled={busy}>Scale</Button>
            </form>
            <Button variant="secondary" disabled={busy || app.replicas === 0} onClick={() => void act(() => api.updateApp(teamSlug, app.name, { replicas: 0 }))}>Stop</Button>
            <Button variant="danger" disabled={busy} onClick={() => setDeleting(true)} data-testid="delete-app">Delete</Button>
          </div>
        )}
      </Card>
      {canEdit && (
        <Card title="Settings" description="Per replica. Applying them is a rolling update: old replicas serve until new ones are ready.">
          <form
            className="grid gap-3 sm:grid-cols-2"
            data-testid="app-settings"
            onSubmit={(e) => {
              e.preventDefault();
              const settings = readAppSettings(new FormData(e.currentTarget));
              if (!settings.ok) return setError(settings.error);
              void act(() => api.updateApp(teamSlug, app.name, settings.value));
            }}
          >
            {/* Keyed by the saved values: after an apply (or someone else's), the fields show what runs. */}
            <AppSettingsFields key={JSON.stringify([app.cpuMillis, app.memoryMiB, app.env, app.command])} idPrefix="app" initial={app} />
            <div><Button type="submit" variant="secondary" disabled={busy} data-testid="app-settings-submit">Apply</Button></div>
          </form>
        </Card>
      )}
      {canEdit ? (
        <AppLogs teamSlug={teamSlug} app={app.name} pods={app.pods.map((p) => p.pod)} />
      ) : (
        <Card title="Logs">
          <p className="text-sm text-zinc-500" data-testid="app-logs-need-developer">Reading an app&apos;s logs needs the developer role: output can hold secrets.</p>
        </Card>
      )}
      <Card title="Kubernetes events" description="Of the Deployment, its ReplicaSets and Pods (at page load).">
        <EventsList events={events} />
      </Card>
      {deleting && (
        <ConfirmDialog
          open
          title={`Delete app ${app.name}?`}
          confirmLabel="Delete app"
          danger
          onConfirm={() => {
            setDeleting(false);
            void act(async () => {
              await api.deleteApp(teamSlug, app.name);
              router.push(`/t/${teamSlug}/apps`);
            });
          }}
          onCancel={() => setDeleting(false)}
        >
          Its Deployment (and replicas) and Service are removed. Its release stays.
        </ConfirmDialog>
      )}
    </div>
  );
}
