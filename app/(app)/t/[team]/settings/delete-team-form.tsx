"use client";


import { Alert } from "@/components/ui/alert";
import { useFormAction } from "@/components/ui/use-form-action";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { deleteTeamAction } from "../actions";

export function DeleteTeamForm({ slug }: { slug: string }) {
  const { state, pending, onSubmit } = useFormAction(deleteTeamAction.bind(null, slug), null);
  const error = state && !state.ok ? state.error : null;
  return (
    <form onSubmit={onSubmit} className="space-y-3">
      <Field id="confirm" name="confirm" label={`Type "${slug}" to confirm`} autoComplete="off" required error={error?.field === "confirm" ? error.message : undefined} />
      {error && error.field !== "confirm" && <Alert>{error.message}</Alert>}
      <Button type="submit" variant="danger" disabled={pending} data-testid="delete-team">
        {pending ? "Deleting team and namespace…" : "Delete team"}
      </Button>
    </form>
  );
}
