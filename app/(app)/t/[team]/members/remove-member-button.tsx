"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { removeMemberAction } from "../actions";

/** Remove a member (or leave the team when it is you); the server decides who may remove whom. */
export function RemoveMemberButton({ slug, userId, name, self }: { slug: string; userId: string; name: string; self: boolean }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const confirm = () =>
    startTransition(async () => {
      const result = await removeMemberAction(slug, userId);
      if (!result.ok) {
        setError(result.error.message);
        setOpen(false);
        return;
      }
      setOpen(false);
      if (self) router.push("/");
      else router.refresh();
    });
  return (
    <span className="flex items-center gap-2">
      {error && <span role="alert" className="text-xs text-red-600">{error}</span>}
      <Button variant="ghost" className="px-2 py-1 text-xs" disabled={pending} onClick={() => (setError(null), setOpen(true))}>
        {self ? "Leave" : "Remove"}
      </Button>
      <ConfirmDialog
        open={open}
        title={self ? "Leave this team?" : `Remove ${name}?`}
        confirmLabel={pending ? "Removing…" : self ? "Leave" : "Remove"}
        danger
        onConfirm={confirm}
        onCancel={() => setOpen(false)}
      >
        {self
          ? "You lose access to its devboxes at once, open terminals included."
          : "They lose access to the team's devboxes at once; their open terminals close within seconds. Their devboxes stay."}
      </ConfirmDialog>
    </span>
  );
}
