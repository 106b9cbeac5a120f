"use client";

import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { deleteTeamAction } from "../actions";

export function DeleteTeamForm({ slug }: { slug: string }) {
  const [state, action, pending] = useActionState(deleteTeamAction.bind(null, slug), null);
  const error = state && !state.ok ? state.error : null;
  return (
    <form action={action} className="space-y-3">
      <Field id="confirm" name="confirm" label={`Type "${slug}" to confirm`} autoComplete="off" required error={error?.field === "confirm" ? error.message : undefined} />
      {error && error.field !== "confirm" && <Alert>{error.message}</Alert>}
      <Button type="submit" variant="danger" disabled={pending} data-testid="delete-team">
        {pending ? "Deleting team and namespace…" : "Delete team"}
      </Button>
    </form>
  );
}
