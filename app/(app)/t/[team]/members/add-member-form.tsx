"use client";


import { Alert } from "@/components/ui/alert";
import { useFormAction } from "@/components/ui/use-form-action";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { addMemberAction } from "../actions";

export function AddMemberForm({ slug, canAddOwner }: { slug: string; canAddOwner: boolean }) {
  const { state, pending, onSubmit } = useFormAction(addMemberAction.bind(null, slug), null);
  const error = state && !state.ok ? state.error : null;
  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-3 sm:flex-row sm:items-end">
      <div className="flex-1">
        <Field id="member-email" name="email" type="email" label="Email" required error={error?.field === "email" ? error.message : undefined} />
      </div>
      <div className="space-y-1">
        <label htmlFor="member-role" className="block text-sm font-medium text-zinc-700 dark:text-zinc-300">Role</label>
        <select id="member-role" name="role" defaultValue="developer" className="block rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900">
          <option value="viewer">viewer</option>
          <option value="developer">developer</option>
          <option value="admin">admin</option>
          {canAddOwner && <option value="owner">owner</option>}
        </select>
      </div>
      <Button type="submit" disabled={pending}>{pending ? "Adding…" : "Add"}</Button>
      {error && error.field !== "email" && <Alert>{error.message}</Alert>}
    </form>
  );
}
