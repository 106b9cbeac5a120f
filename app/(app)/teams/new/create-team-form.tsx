"use client";


import { Alert } from "@/components/ui/alert";
import { useFormAction } from "@/components/ui/use-form-action";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { createTeamAction } from "./actions";

export function CreateTeamForm() {
  const { state, pending, onSubmit } = useFormAction(createTeamAction, null);
  const error = state && !state.ok ? state.error : null;
  const fieldError = (f: string) => (error?.field === f ? error.message : undefined);
  return (
    <form onSubmit={onSubmit} className="space-y-4" data-testid="create-team-form">
      <Field id="slug" name="slug" label="Team name" required autoFocus hint="Lower-case letters, digits and '-'. Used in URLs and as the namespace name." error={fieldError("slug")} />
      <Field id="displayName" name="displayName" label="Display name (optional)" error={fieldError("displayName")} />
      {error && !error.field && <Alert testId="create-team-error">{error.message}</Alert>}
      <Button type="submit" disabled={pending}>{pending ? "Creating team and namespace…" : "Create team"}</Button>
    </form>
  );
}
