"use client";

import { useEffect, useState } from "react";
import { Card } from "@/components/ui/card";
import { apiCall } from "@/lib/api/browser-client";
import { PREVIEW_LEVELS } from "@/lib/preview/levels";

/** The team's cap on preview levels (admins): e.g. "link" forbids public ports; higher ports are lowered at once. */
export function PreviewMaxLevel({ team, canEdit }: { team: string; canEdit: boolean }) {
  const url = `/api/v1/teams/${encodeURIComponent(team)}/preview-settings`;
  const [state, setState] = useState<{ maxLevel: string; instanceMaxLevel: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void apiCall<{ maxLevel: string; instanceMaxLevel: string }>("GET", url).then(setState, () => setError("Could not load the preview settings."));
  }, [url]);
  return (
    <Card title="Preview URLs" description="The most open access level a port of this team may have.">
      {state && (
        <label className="flex items-center gap-2 text-sm">
          Maximum level
          <select
            className="rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
            value={state.maxLevel}
            disabled={!canEdit}
            data-testid="preview-max-level"
            onChange={async (e) => {
              try {
                setState({ ...state, maxLevel: (await apiCall<{ maxLevel: string }>("PUT", url, { maxLevel: e.target.value })).maxLevel });
              } catch (err) {
                setError((err as Error).message);
              }
            }}
          >
            {PREVIEW_LEVELS.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
          {state.instanceMaxLevel !== "public" && <span className="text-zinc-500">(this instance allows up to {state.instanceMaxLevel})</span>}
        </label>
      )}
      {error && <p className="mt-2 text-sm text-red-600" role="alert">{error}</p>}
    </Card>
  );
}
