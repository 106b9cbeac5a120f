"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { revokeTokenAction } from "@/app/(app)/settings/tokens/actions";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { TokenView } from "@/lib/tokens/schemas";

const day = (iso: string | null) => (iso ? new Date(iso).toISOString().slice(0, 16).replace("T", " ") + " UTC" : "never");

export function TokenList({ tokens }: { tokens: TokenView[] }) {
  if (tokens.length === 0) return <p className="text-sm text-zinc-500" data-testid="token-list-empty">No tokens yet.</p>;
  return (
    <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="token-list">
      {tokens.map((t) => (
        <li key={t.id} className="flex flex-wrap items-center justify-between gap-2 py-2.5 text-sm" data-testid="token-row" data-token-name={t.name}>
          <span className="space-y-0.5">
            <span className="block font-medium">
              {t.name} <code className="text-xs text-zinc-500">{t.prefix}</code>
            </span>
            <span className="block text-xs text-zinc-500">
              {t.scopes.join(", ")}
              {t.team && ` · team ${t.team}`}
              {t.devboxes && ` · devboxes ${t.devboxes.join(", ")}`} · expires {day(t.expiresAt)} · last used{" "}
              <span data-testid="token-last-used">{day(t.lastUsedAt)}</span>
            </span>
          </span>
          <RevokeButton id={t.id} name={t.name} />
        </li>
      ))}
    </ul>
  );
}

function RevokeButton({ id, name }: { id: string; name: string }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const confirm = () =>
    startTransition(async () => {
      const result = await revokeTokenAction(id);
      setOpen(false);
      if (!result.ok) setError(result.error.message);
      else router.refresh();
    });
  return (
    <span className="flex items-center gap-2">
      {error && <span role="alert" className="text-xs text-red-600">{error}</span>}
      <Button variant="ghost" className="px-2 py-1 text-xs" disabled={pending} onClick={() => (setError(null), setOpen(true))}>
        Revoke
      </Button>
      <ConfirmDialog open={open} title={`Revoke ${name}?`} confirmLabel={pending ? "Revoking…" : "Revoke"} danger onConfirm={confirm} onCancel={() => setOpen(false)}>
        Scripts and SSH connections using it are refused from their next request on.
      </ConfirmDialog>
    </span>
  );
}
