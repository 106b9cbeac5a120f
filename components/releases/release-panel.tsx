"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useBusyAction } from "@/components/ui/use-busy-action";
import { Field } from "@/components/ui/field";
import { formatBytes } from "@/lib/snapshots/format";

// What the pattern below and the API (lib/releases/schemas.ts RELEASE_TAG) accept. Without it the
// browser's message for a mismatch was only "Please match the requested format."; the title is
// appended to that message.
const TAG_RULE = "1–64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit.";
import type { ReleaseView } from "@/lib/releases/view";
import { AppSettingsFields, readAppSettings } from "@/components/apps/app-settings-fields";
import { api } from "./api";

const STEPS = ["commit", "merge", "push"] as const;

/** Release form with progress, and the devbox's release history with deploy / fork / delete. */
export function ReleasePanel({ teamSlug, devboxName, canEdit, initial }: { teamSlug: string; devboxName: string; canEdit: boolean; initial: ReleaseView[] }) {
  const router = useRouter();
  const [rows, setRows] = useState(initial);
  const [open, setOpen] = useState<{ tag: string; kind: "deploy" | "fork" } | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const refresh = useCallback(async () => setRows(await api.releases(teamSlug, devboxName)), [teamSlug, devboxName]);
  const pending = rows.some((r) => r.status === "pending");

  useEffect(() => {
    if (!pending) return;
    const t = setInterval(() => void refresh().catch(() => {}), 1000);
    return () => clearInterval(t);
  }, [pending, refresh]);

  const { act, busy, error, setError } = useBusyAction(refresh);

  return (
    <div className="space-y-6">
      {error && <Alert testId="release-error">{error}</Alert>}
      {canEdit && (
        <Card title="New release" description="A running devbox is committed first and keeps running; a stopped one releases its latest snapshot.">
          <form
            className="grid gap-3 sm:grid-cols-2"
            data-testid="release-form"
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              const entry = String(f.get("entrypoint") ?? "").trim();
              void act(() => api.createRelease(teamSlug, devboxName, { tag: String(f.get("tag")), notes: String(f.get("notes") ?? ""), ...(entry ? { entrypoint: [entry] } : {}) }));
            }}
          >
            <Field id="release-tag" name="tag" label="Tag" placeholder="v1.0.0" required pattern="[a-z0-9][a-z0-9._\-]{0,63}" hint={TAG_RULE} title={TAG_RULE} />
            <Field id="release-entrypoint" name="entrypoint" label="Entrypoint" placeholder="/home/devbox/project/entrypoint.sh" />
            <div className="sm:col-span-2 space-y-1">
              <label htmlFor="release-notes" className="block text-sm font-medium text-zinc-700 dark:text-zinc-300">Notes</label>
              <textarea id="release-notes" name="notes" maxLength={2000} rows={3} className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900" />
            </div>
            <div><Button type="submit" disabled={busy} data-testid="release-submit">Release</Button></div>
          </form>
        </Card>
      )}
      <Card title="Release history">
        {rows.length === 0 ? (
          <p className="text-sm text-zinc-500">No releases yet.</p>
        ) : (
          <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="releases">
            {rows.map((r) => (
              <li key={r.tag} className="py-3 text-sm" data-testid={`release-${r.tag}`} data-status={r.status}>
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <span>
                    <span className="font-mono font-semibold">{r.tag}</span>{" "}
                    <span className={r.status === "failed" ? "text-red-600" : r.status === "ready" ? "text-emerald-600" : "text-amber-600"} data-testid="release-status">{r.status}</span>
                    {r.status === "pending" && <Progress phase={r.phase} />}
                  </span>
                  <span className="text-xs text-zinc-500">
                    {r.sizeBytes != null && <>{formatBytes(r.sizeBytes)} · </>}by {r.createdBy ?? "?"} · <time dateTime={r.createdAt}>{new Date(r.createdAt).toLocaleString("en-GB", { timeZone: "UTC" })} UTC</time>
                    {r.snapshotId && <> · snapshot <span className="font-mono">{r.snapshotId.slice(0, 8)}</span></>}
                  </span>
                </div>
                {r.notes && <p className="mt-1 whitespace-pre-wrap text-zinc-600 dark:text-zinc-400">{r.notes}</p>}
                {r.failureReason && <p className="mt-1 text-red-600">{r.failureReason}</p>}
                {r.apps.length > 0 && (
                  <p className="mt-1 text-xs">Running in: {r.apps.map((a) => <Link key={a} className="mr-2 text-indigo-600 hover:underline" href={`/t/${teamSlug}/apps/${a}`}>{a}</Link>)}</p>
                )}
                {canEdit && r.status === "ready" && (
                  <div className="mt-2 flex flex-wrap gap-2">
                    <Button variant="secondary" disabled={busy} data-testid="deploy-release" onClick={() => setOpen({ tag: r.tag, kind: "deploy" })}>Deploy</Button>
                    <Button variant="secondary" disabled={busy} onClick={() => setOpen({ tag: r.tag, kind: "fork" })}>Start a new devbox from this release</Button>
                    <Button variant="danger" disabled={busy || r.apps.length > 0} title={r.apps.length ? "An app runs it" : undefined} onClick={() => setDeleting(r.tag)} data-testid="delete-release">Delete</Button>
                  </div>
                )}
                {open?.tag === r.tag && (
                  <form
                    className={open.kind === "deploy" ? "mt-2 grid gap-3 sm:grid-cols-2" : "mt-2 flex flex-wrap items-end gap-2"}
                    data-testid={`${open.kind}-form`}
                    onSubmit={(e) => {
                      e.preventDefault();
                      const f = new FormData(e.currentTarget);
                      const name = String(f.get("name"));
                      if (open.kind === "deploy") {
                        const settings = readAppSettings(f);
                        if (!settings.ok) return setError(settings.error);
                        const probePath = String(f.get("probePath") ?? "").trim();
                        const { command, ...rest } = settings.value;
                        void act(async () => {
                          await api.createApp(teamSlug, {
                            name,
                            release: { devbox: devboxName, tag: r.tag },
                            replicas: Number(f.get("replicas")),
                            ...rest,
                            ...(command ? { command } : {}),
                            ...(probePath ? { probePath } : {}),
                          });
                          router.push(`/t/${teamSlug}/apps/${name}`);
                        });
                      }
                      else
                        void act(async () => {
                          await api.forkRelease(teamSlug, devboxName, r.tag, name);
                          router.push(`/t/${teamSlug}/devboxes/${name}`);
                        });
                    }}
                  >
                    <Field id={`${open.kind}-name`} name="name" label={open.kind === "deploy" ? "App name" : "New devbox name"} required defaultValue={open.kind === "deploy" ? devboxName : ""} />
                    {open.kind === "deploy" && (
                      <>
                        <Field id="deploy-replicas" name="replicas" label="Replicas" type="number" min={0} max={10} defaultValue={2} />
                        <AppSettingsFields idPrefix="deploy" initial={{ cpuMillis: 250, memoryMiB: 256, env: [], command: null }} />
                        <Field id="deploy-probe" name="probePath" label="Readiness HTTP path" placeholder="/healthz" hint="Empty: a TCP check on the first port." pattern="/.*" />
                      </>
                    )}
                    <div className="flex items-end gap-2">
                      <Button type="submit" disabled={busy} data-testid={`${open.kind}-submit`}>{open.kind === "deploy" ? "Deploy" : "Start"}</Button>
                      <Button type="button" variant="ghost" onClick={() => setOpen(null)}>Cancel</Button>
                    </div>
                  </form>
                )}
                {canEdit && r.status === "failed" && (
                  <div className="mt-2"><Button variant="secondary" disabled={busy} onClick={() => void act(() => api.deleteRelease(teamSlug, devboxName, r.tag))}>Remove</Button></div>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
      {deleting && (
        <ConfirmDialog
          open
          title={`Delete release ${deleting}?`}
          confirmLabel="Delete release"
          danger
          onConfirm={() => {
            const tag = deleting;
            setDeleting(null);
            void act(() => api.deleteRelease(teamSlug, devboxName, tag));
          }}
          onCancel={() => setDeleting(null)}
        >
          Its image is deleted from the registry. Devboxes started from it keep their own copy.
        </ConfirmDialog>
      )}
    </div>
  );
}

function Progress({ phase }: { phase: string | null }) {
  const at = STEPS.indexOf((phase ?? "commit") as (typeof STEPS)[number]);
  return (
    <span className="ml-2 text-xs" data-testid="release-progress" data-phase={phase ?? ""}>
      {STEPS.map((s, i) => (
        <span key={s} className={i < at ? "text-emerald-600" : i === at ? "font-semibold text-amber-600" : "text-zinc-400"}>
          {i > 0 && " → "}{s}
        </span>
      ))}
    </span>
  );
}
