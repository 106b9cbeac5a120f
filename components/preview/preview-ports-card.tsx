"use client";

import { useCallback, useEffect, useState } from "react";
import type { PreviewLevel } from "@/db/schema/preview-ports";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { previewApi } from "@/lib/preview/client-api";
import type { PortView, ShareLinkView } from "@/lib/preview/schemas";
import { PREVIEW_LEVELS } from "@/lib/preview/levels";

const LEVEL_HELP: Record<PreviewLevel, string> = {
  private: "only the devbox's creator",
  team: "members of this team",
  link: "anyone with a share link",
  public: "anyone",
};

/** Preview URLs of the devbox's ports, their access level and (for `link`) share links. */
export function PreviewPortsCard({ team, devbox, canEdit }: { team: string; devbox: string; canEdit: boolean }) {
  const [ports, setPorts] = useState<PortView[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setPorts((await previewApi.ports(team, devbox)).ports);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [team, devbox]);
  useEffect(() => void load(), [load]);

  return (
    <Card title="Preview URLs" description="Open a port in the browser. Access levels apply on the next request.">
      {error && <p className="text-sm text-red-600" role="alert">{error}</p>}
      {ports === null && !error && <p className="text-sm text-zinc-500">Loading…</p>}
      {ports?.length === 0 && <p className="text-sm text-zinc-500">No ports declared.</p>}
      <ul className="space-y-4" data-testid="preview-ports">
        {ports?.map((p) => (
          <li key={p.port} data-testid={`preview-port-${p.port}`} className="space-y-2 text-sm">
            <div className="flex flex-wrap items-center gap-3">
              <span className="font-medium">{p.name} · {p.port}</span>
              <a className="break-all text-indigo-600 hover:underline" href={p.url} target="_blank" rel="noopener noreferrer" data-testid="preview-url">{p.url}</a>
            </div>
            <div className="flex flex-wrap items-center gap-2">
              <label className="text-zinc-500" htmlFor={`level-${p.port}`}>Who can open it</label>
              <select
                id={`level-${p.port}`}
                data-testid="preview-level"
                className="rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
                value={p.level}
                disabled={!canEdit}
                onChange={async (e) => {
                  try {
                    await previewApi.setLevel(team, devbox, p.port, e.target.value as PreviewLevel);
                    await load();
                  } catch (err) {
                    setError((err as Error).message);
                  }
                }}
              >
                {PREVIEW_LEVELS.map((l) => (
                  <option key={l} value={l}>{l}: {LEVEL_HELP[l]}</option>
                ))}
              </select>
              {p.effectiveLevel !== p.level && <span className="text-amber-700">capped to {p.effectiveLevel} by the team or instance maximum</span>}
            </div>
            {p.effectiveLevel === "link" && canEdit && <ShareLinks team={team} devbox={devbox} port={p.port} />}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function ShareLinks({ team, devbox, port }: { team: string; devbox: string; port: number }) {
  const [links, setLinks] = useState<ShareLinkView[]>([]);
  const [label, setLabel] = useState("");
  const [hours, setHours] = useState(24);
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => setLinks(await previewApi.links(team, devbox, port)), [team, devbox, port]);
  useEffect(() => void load().catch((e) => setError(e.message)), [load]);

  return (
    <div className="rounded border border-zinc-200 p-3 dark:border-zinc-800" data-testid="share-links">
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const l = await previewApi.createLink(team, devbox, port, label, hours);
            setCreated(l.url ?? null);
            setLabel("");
            await load();
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <input className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" placeholder="Label (who is it for?)" value={label} onChange={(e) => setLabel(e.target.value)} data-testid="share-label" />
        <select className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" value={hours} onChange={(e) => setHours(Number(e.target.value))} data-testid="share-expiry">
          <option value={1}>1 hour</option>
          <option value={24}>24 hours</option>
          <option value={168}>7 days</option>
          <option value={720}>30 days</option>
        </select>
        <Button type="submit" variant="secondary" data-testid="share-create">Create share link</Button>
      </form>
      {created && (
        <p className="mt-2 break-all text-xs" data-testid="share-created">
          Copy it now (it is not shown again): <code>{created}</code>
        </p>
      )}
      {error && <p className="mt-2 text-xs text-red-600" role="alert">{error}</p>}
      <ul className="mt-2 space-y-1 text-xs">
        {links.map((l) => (
          <li key={l.id} className="flex flex-wrap items-center gap-2" data-testid="share-link">
            <span className="font-medium">{l.label || "(no label)"}</span>
            <span className="text-zinc-500">shared by {l.sharedBy ?? "a former member"} · {l.state === "active" ? `expires ${new Date(l.expiresAt).toLocaleString()}` : l.state === "creator_gone" ? "no longer works: whoever shared it can no longer share here" : l.state}</span>
            {l.state === "active" && (
              <button className="text-red-600 hover:underline" data-testid="share-revoke" onClick={async () => (await previewApi.revokeLink(team, devbox, l.id), await load())}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
