import { Field } from "@/components/ui/field";
import { coresToMillis, formatCommandLines, formatEnvLines, parseCommandLines, parseEnvLines, type EnvVar, type Parsed } from "@/lib/apps/settings-text";

export interface AppSettings {
  cpuMillis: number;
  memoryMiB: number;
  env: EnvVar[];
  command: string[] | null;
}

const TEXTAREA = "block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-900";

/** CPU, memory, env and command override of an app: the deploy form and the app's settings form. */
export function AppSettingsFields({ idPrefix, initial }: { idPrefix: string; initial: AppSettings }) {
  return (
    <>
      <Field id={`${idPrefix}-cpu`} name="cpu" label="CPU (cores per replica)" type="number" min={0.05} max={16} step={0.05} required defaultValue={initial.cpuMillis / 1000} />
      <Field id={`${idPrefix}-memory`} name="memoryMiB" label="Memory (MiB per replica)" type="number" min={32} max={65536} step={1} required defaultValue={initial.memoryMiB} />
      <div className="space-y-1 sm:col-span-2">
        <label htmlFor={`${idPrefix}-env`} className="block text-sm font-medium text-zinc-700 dark:text-zinc-300">Environment</label>
        <textarea id={`${idPrefix}-env`} name="env" rows={3} placeholder={"NAME=value, one per line"} defaultValue={formatEnvLines(initial.env)} className={TEXTAREA} spellCheck={false} />
      </div>
      <div className="space-y-1 sm:col-span-2">
        <label htmlFor={`${idPrefix}-command`} className="block text-sm font-medium text-zinc-700 dark:text-zinc-300">Command override</label>
        <textarea id={`${idPrefix}-command`} name="command" rows={2} placeholder={"One argument per line; empty: the release's entrypoint"} defaultValue={formatCommandLines(initial.command)} className={TEXTAREA} spellCheck={false} />
      </div>
    </>
  );
}

/** What the fields hold, or the first mistake in words (shown before anything is sent). */
export function readAppSettings(f: FormData): Parsed<AppSettings> {
  const cpuMillis = coresToMillis(String(f.get("cpu") ?? ""));
  if (cpuMillis === undefined) return { ok: false, error: "CPU: a number of cores, e.g. 0.25." };
  const memoryMiB = Number(f.get("memoryMiB"));
  if (!Number.isInteger(memoryMiB) || memoryMiB <= 0) return { ok: false, error: "Memory: a whole number of MiB, e.g. 256." };
  const env = parseEnvLines(String(f.get("env") ?? ""));
  if (!env.ok) return { ok: false, error: `Environment: ${env.error}` };
  return { ok: true, value: { cpuMillis, memoryMiB, env: env.value, command: parseCommandLines(String(f.get("command") ?? "")) } };
}
