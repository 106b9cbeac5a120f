"use client";

import { useState, useTransition } from "react";
import { commitDevboxAction } from "@/app/(app)/t/[team]/devboxes/[name]/snapshots/actions";
import { Button } from "@/components/ui/button";

/** Saves the running devbox now (progress shows in the status line while it runs). */
export function CommitButton({ teamSlug, name, disabled }: { teamSlug: string; name: string; disabled?: boolean }) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        variant="secondary"
        disabled={pending || disabled}
        data-testid="action-commit"
        title="Save the devbox's files as a snapshot now"
        onClick={() => {
          setResult(null);
          start(async () => {
            const res = await commitDevboxAction(teamSlug, name);
            setResult(res.ok ? { ok: true, text: res.data.message } : { ok: false, text: res.error.message });
          });
        }}
      >
        {pending ? "Committing…" : "Commit"}
      </Button>
      {result && (
        <span role={result.ok ? "status" : "alert"} data-testid="commit-result" className={`text-sm ${result.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-600 dark:text-red-400"}`}>
          {result.text}
        </span>
      )}
    </span>
  );
}
