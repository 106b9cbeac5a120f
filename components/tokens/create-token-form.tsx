"use client";

import { useEffect, useState } from "react";
import { createTokenAction } from "@/app/(app)/settings/tokens/actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { TOKEN_SCOPES } from "@/lib/tokens/scopes";

const SCOPE_HELP: Record<(typeof TOKEN_SCOPES)[number], string> = {
  "devboxes:read": "list and read devboxes",
  "devboxes:write": "create, start, stop, change devboxes",
  "devboxes:ssh": "connect with SSH (devbox ssh, VS Code, JetBrains)",
  "releases:write": "publish releases and deploy, scale, roll back or delete apps",
  admin: "everything your role allows, team administration included",
};

export function CreateTokenForm({ teams, maxDays }: { teams: string[]; maxDays: number }) {
  const { state, pending, onSubmit } = useFormAction(createTokenAction, null);
  const error = state && !state.ok ? state.error : null;
  const created = state && state.ok ? state.data : null;
  return (
    <div className="space-y-4">
      {created && <ShowOnce key={created.token} name={created.name} token={created.token} />}
      <form onSubmit={onSubmit} className="space-y-3" data-testid="create-token-form">
        <Field id="token-name" name="name" label="Name" required placeholder="laptop CLI" error={error?.field === "name" ? error.message : undefined} />
        <fieldset className="space-y-1">
          <legend className="text-sm font-medium text-zinc-700 dark:text-zinc-300">Scopes</legend>
          {TOKEN_SCOPES.map((s) => (
            <label key={s} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="scopes" value={s} defaultChecked={s === "devboxes:read" || s === "devboxes:ssh"} />
              <code>{s}</code> <span className="text-zinc-500">{SCOPE_HELP[s]}</span>
            </label>
          ))}
          {error?.field === "scopes" && <p role="alert" className="text-sm text-red-600">{error.message}</p>}
        </fieldset>
        <Field id="token-days" name="expiresInDays" type="number" min={1} max={maxDays} defaultValue={30} label="Expires in (days)" hint={`At most ${maxDays} days on this instance.`} error={error?.field === "expiresInDays" ? error.message : undefined} />
        <div className="space-y-1">
          <label htmlFor="token-team" className="block text-sm font-medium text-zinc-700 dark:text-zinc-300">Only this team (optional)</label>
          <select id="token-team" name="team" defaultValue="" className="block rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900">
            <option value="">all my teams</option>
            {teams.map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
        </div>
        <Field id="token-devboxes" name="devboxes" label="Only these devboxes of that team (optional)" placeholder="api, web" error={error?.field === "devboxes" ? error.message : undefined} />
        <Button type="submit" disabled={pending}>{pending ? "Creating…" : "Create token"}</Button>
        {error && !["name", "scopes", "expiresInDays", "devboxes"].includes(error.field ?? "") && <Alert>{error.message}</Alert>}
      </form>
    </div>
  );
}

/** The secret, shown once: it is not stored, and it goes away when the page is left. */
function ShowOnce({ name, token }: { name: string; token: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => setCopied(false), [token]);
  return (
    <div className="space-y-2 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950" data-testid="new-token">
      <p>
        Token <strong>{name}</strong> created. Copy it now: it will not be shown again.
      </p>
      <div className="flex items-center gap-2">
        <code className="break-all rounded bg-white px-2 py-1 dark:bg-zinc-900" data-testid="new-token-value">{token}</code>
        <Button variant="secondary" className="px-2 py-1 text-xs" onClick={() => void navigator.clipboard.writeText(token).then(() => setCopied(true))}>
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
    </div>
  );
}
