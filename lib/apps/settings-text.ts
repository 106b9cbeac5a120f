/**
 * The app settings as people type them in a form: env as `NAME=value` lines, a command as one
 * argument per line (no shell quoting to get wrong). Pure, so the deploy form and the settings form
 * read them the same way and a unit test pins the rules.
 */

export interface EnvVar {
  name: string;
  value: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** `NAME=value` per line; blank lines and `# comments` skipped; the value is everything after the first `=`, kept as is. */
export function parseEnvLines(text: string): Parsed<EnvVar[]> {
  const env: EnvVar[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/^\s+/, "");
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    const name = (eq < 0 ? line : line.slice(0, eq)).trimEnd();
    if (eq < 0) return { ok: false, error: `Line ${i + 1}: "${name}" has no "=": write NAME=value.` };
    if (!ENV_NAME.test(name)) return { ok: false, error: `Line ${i + 1}: "${name}" is not a variable name (letters, digits and '_', not starting with a digit).` };
    if (seen.has(name)) return { ok: false, error: `Line ${i + 1}: ${name} is set twice.` };
    seen.add(name);
    env.push({ name, value: line.slice(eq + 1) });
  }
  return { ok: true, value: env };
}

export function formatEnvLines(env: EnvVar[]): string {
  return env.map((e) => `${e.name}=${e.value}`).join("\n");
}

/** One argument per line; blank lines skipped. Empty: no override (the release's own entrypoint). */
export function parseCommandLines(text: string): string[] | null {
  const args = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  return args.length > 0 ? args : null;
}

export function formatCommandLines(command: string[] | null): string {
  return (command ?? []).join("\n");
}

/** "0.25" cores → 250 millicores; undefined for what is not a positive number. */
export function coresToMillis(text: string): number | undefined {
  const n = Number(text.trim());
  return text.trim() !== "" && Number.isFinite(n) && n > 0 ? Math.round(n * 1000) : undefined;
}
