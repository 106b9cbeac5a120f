"use client";


import { Alert } from "@/components/ui/alert";
import { useFormAction } from "@/components/ui/use-form-action";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { addTemplateAction } from "./actions";

export function AddTemplateForm() {
  const { state, pending, onSubmit } = useFormAction(addTemplateAction, null);
  const error = state && !state.ok ? state.error : null;
  const fieldError = (f: string) => (error?.field === f ? error.message : undefined);
  return (
    <form onSubmit={onSubmit} className="grid gap-3 sm:grid-cols-2">
      <Field id="tpl-name" name="name" label="Name" required error={fieldError("name")} />
      <Field id="tpl-display" name="displayName" label="Display name" />
      <div className="sm:col-span-2">
        <Field id="tpl-image" name="image" label="Image" required placeholder="127.0.0.1:5000/devbox/rust:bookworm" error={fieldError("image")} />
      </div>
      <Field id="tpl-description" name="description" label="Description" />
      <Field id="tpl-ports" name="ports" label="Ports" placeholder="8080:http" error={fieldError("ports")} />
      {error && !["name", "image", "ports"].includes(error.field ?? "") && <div className="sm:col-span-2"><Alert>{error.message}</Alert></div>}
      {state?.ok && <div className="sm:col-span-2"><Alert tone="info">Template added.</Alert></div>}
      <div><Button type="submit" disabled={pending}>{pending ? "Adding…" : "Add template"}</Button></div>
    </form>
  );
}
