"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { addSshKeyAction, deleteSshKeyAction } from "@/app/(app)/settings/ssh-keys/actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import type { SshKeyView } from "@/lib/ssh/user-keys";

export function SshKeyList({ keys }: { keys: SshKeyView[] }) {
  if (keys.length === 0) return <p className="text-sm text-zinc-500" data-testid="ssh-key-list-empty">No SSH keys yet.</p>;
  return (
    <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="ssh-key-list">
      {keys.map((k) => (
        <li key={k.id} className="flex items-center justify-between gap-2 py-2.5 text-sm" data-testid="ssh-key-row" data-key-name={k.name}>
          <span>
            <span className="font-medium">{k.name}</span> <span className="text-xs text-zinc-500">{k.type}</span>
            <code className="block text-xs text-zinc-500" data-testid="ssh-key-fingerprint">{k.fingerprint}</code>
          </span>
          <DeleteKeyButton id={k.id} />
        </li>
      ))}
    </ul>
  );
}

function DeleteKeyButton({ id }: { id: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const remove = () =>
    startTransition(async () => {
      const result = await deleteSshKeyAction(id);
      if (!result.ok) setError(result.error.message);
      else router.refresh();
    });
  return (
    <span className="flex items-center gap-2">
      {error && <span role="alert" className="text-xs text-red-600">{error}</span>}
      <Button variant="ghost" className="px-2 py-1 text-xs" disabled={pending} onClick={remove}>
        {pending ? "Removing…" : "Remove"}
      </Button>
    </span>
  );
}

export function AddSshKeyForm() {
  const { state, pending, onSubmit } = useFormAction(addSshKeyAction, null);
  const error = state && !state.ok ? state.error : null;
  return (
    <form onSubmit={onSubmit} className="space-y-3" data-testid="add-ssh-key-form">
      <Field id="ssh-key-name" name="name" label="Name (optional)" placeholder="laptop" />
      <div className="space-y-1">
        <label htmlFor="ssh-key-public" className="block text-sm font-medium text-zinc-700 dark:text-zinc-300">Public key</label>
        <textarea
          id="ssh-key-public"
          name="publicKey"
          required
          rows={3}
          placeholder="ssh-ed25519 AAAA… you@laptop"
          aria-invalid={error?.field === "publicKey" ? true : undefined}
          className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-900"
        />
        {error?.field === "publicKey" && <p role="alert" className="text-sm text-red-600">{error.message}</p>}
      </div>
      <Button type="submit" disabled={pending}>{pending ? "Adding…" : "Add key"}</Button>
      {error && error.field !== "publicKey" && <Alert>{error.message}</Alert>}
    </form>
  );
}
