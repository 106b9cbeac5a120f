"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { useFormAction } from "@/components/ui/use-form-action";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { createDevboxAction } from "../actions";

export interface TemplateOption {
  id: string;
  name: string;
  displayName: string;
  description: string;
  icon: string;
  cpuMillis: number;
  memoryMiB: number;
  diskMiB: number;
  ports: string;
}

export function CreateDevboxForm({ teamSlug, templates }: { teamSlug: string; templates: TemplateOption[] }) {
  const { state, pending, onSubmit } = useFormAction(createDevboxAction.bind(null, teamSlug), null);
  const [templateId, setTemplateId] = useState(templates[0]?.id ?? "");
  const t = templates.find((x) => x.id === templateId);
  const error = state && !state.ok ? state.error : null;
  const fieldError = (f: string) => (error?.field === f ? error.message : undefined);

  return (
    <form onSubmit={onSubmit} className="space-y-5" data-testid="create-devbox-form">
      <Field id="name" name="name" label="Name" required autoFocus hint="Lower-case letters, digits and '-'; unique in the team." error={fieldError("name")} />
      <fieldset>
        <legend className="mb-2 text-sm font-medium text-zinc-700 dark:text-zinc-300">Runtime</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {templates.map((x) => (
            <label key={x.id} className={`flex cursor-pointer gap-3 rounded-lg border p-3 text-sm ${x.id === templateId ? "border-indigo-500 ring-1 ring-indigo-500" : "border-zinc-300 dark:border-zinc-700"}`}>
              <input type="radio" name="templateId" value={x.id} checked={x.id === templateId} onChange={() => setTemplateId(x.id)} className="sr-only" data-testid={`template-${x.name}`} />
              <span className="text-xl" aria-hidden>{x.icon}</span>
              <span>
                <span className="block font-medium">{x.displayName}</span>
                <span className="block text-xs text-zinc-500">{x.description}</span>
              </span>
            </label>
          ))}
        </div>
        {fieldError("templateId") && <p role="alert" className="mt-1 text-sm text-red-600">{fieldError("templateId")}</p>}
      </fieldset>
      {t && (
        <div className="grid gap-4 sm:grid-cols-3" key={t.id}>
          <Field id="cpu" name="cpu" type="number" step="0.25" min="0.25" label="CPU (cores)" defaultValue={t.cpuMillis / 1000} error={fieldError("cpuMillis")} />
          <Field id="memory" name="memory" type="number" step="0.25" min="0.25" label="Memory (GiB)" defaultValue={t.memoryMiB / 1024} error={fieldError("memoryMiB")} />
          <Field id="disk" name="disk" type="number" step="1" min="1" label="Disk (GiB)" defaultValue={t.diskMiB / 1024} error={fieldError("diskMiB")} />
        </div>
      )}
      {t && <Field id="ports" name="ports" label="Ports" defaultValue={t.ports} key={`ports-${t.id}`} hint="e.g. 3000:http, 8080" error={fieldError("ports")} />}
      <div className="space-y-1">
        <label htmlFor="env" className="block text-sm font-medium text-zinc-700 dark:text-zinc-300">Environment variables</label>
        <textarea id="env" name="env" rows={3} placeholder={"KEY=value\nOTHER=value"} className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-900" aria-invalid={fieldError("env") ? true : undefined} />
        {fieldError("env") && <p role="alert" className="text-sm text-red-600 dark:text-red-400">{fieldError("env")}</p>}
      </div>
      {error && !["name", "templateId", "cpuMillis", "memoryMiB", "diskMiB", "ports", "env"].includes(error.field ?? "") && <Alert testId="create-devbox-error">{error.message}</Alert>}
      <Button type="submit" disabled={pending || !t}>{pending ? "Creating…" : "Create devbox"}</Button>
    </form>
  );
}
