"use client";

import { useRef, useState } from "react";
import { useFormAction } from "@/components/ui/use-form-action";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field } from "@/components/ui/field";
import { updateDevboxAction } from "../../actions";

interface Values {
  cpu: number;
  memory: number;
  disk: number;
  ports: string;
  env: string;
  podGeneration: number;
}

export function EditDevboxForm({ teamSlug, name, running, values }: { teamSlug: string; name: string; running: boolean; values: Values }) {
  const { state, pending, onSubmit } = useFormAction(updateDevboxAction.bind(null, teamSlug, name), null);
  const [confirming, setConfirming] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const error = state && !state.ok ? state.error : null;
  const fieldError = (f: string) => (error?.field === f ? error.message : undefined);

  return (
    <form
      ref={form}
      className="space-y-5"
      onSubmit={(e) => {
        // A running devbox restarts to apply the change: say so before doing it.
        if (running && !confirming) {
          e.preventDefault();
          setConfirming(true);
          return;
        }
        onSubmit(e);
      }}
    >
      <input type="hidden" name="podGeneration" value={values.podGeneration} />
      <div className="grid gap-4 sm:grid-cols-3">
        <Field id="cpu" name="cpu" type="number" step="0.25" min="0.25" label="CPU (cores)" defaultValue={values.cpu} error={fieldError("cpuMillis")} />
        <Field id="memory" name="memory" type="number" step="0.25" min="0.25" label="Memory (GiB)" defaultValue={values.memory} error={fieldError("memoryMiB")} />
        <Field id="disk" name="disk" type="number" step="1" min="1" label="Disk (GiB)" defaultValue={values.disk} error={fieldError("diskMiB")} />
      </div>
      <Field id="ports" name="ports" label="Ports" defaultValue={values.ports} hint="e.g. 3000:http, 8080" error={fieldError("ports")} />
      <div className="space-y-1">
        <label htmlFor="env" className="block text-sm font-medium text-zinc-700 dark:text-zinc-300">Environment variables</label>
        <textarea id="env" name="env" rows={4} defaultValue={values.env} className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-900" />
        {fieldError("env") && <p role="alert" className="text-sm text-red-600 dark:text-red-400">{fieldError("env")}</p>}
      </div>
      {running && <Alert tone="info">Saving restarts this devbox: its container is replaced to apply the new settings.</Alert>}
      {error && !["cpuMillis", "memoryMiB", "diskMiB", "ports", "env"].includes(error.field ?? "") && <Alert>{error.message}</Alert>}
      <Button type="submit" disabled={pending} data-testid="save-devbox">{pending ? "Saving…" : running ? "Save and restart" : "Save"}</Button>
      <ConfirmDialog
        open={confirming && !pending}
        title={`Restart ${name} to apply?`}
        confirmLabel="Save and restart"
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          form.current?.requestSubmit();
          setConfirming(false);
        }}
      >
        Running processes stop and a new container starts with the new settings.
      </ConfirmDialog>
    </form>
  );
}
