"use client";

import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { setTeamLimitAction } from "./actions";

export function TeamLimitForm({ current }: { current: number }) {
  const { state, pending, onSubmit } = useFormAction(setTeamLimitAction, null);
  const error = state && !state.ok ? state.error : null;
  return (
    <form onSubmit={onSubmit} className="flex items-end gap-3">
      <Field id="max-teams" name="maxTeams" type="number" label="Teams per user" defaultValue={String(current)} error={error?.message} />
      <Button type="submit" variant="secondary" disabled={pending}>{pending ? "Saving…" : "Save"}</Button>
      {state?.ok && <Alert tone="info">Saved.</Alert>}
    </form>
  );
}
