import type { EnvVar } from "@/db/schema/devboxes";
import type { PortSpec } from "@/db/schema/templates";
import { AppError } from "@/lib/errors";
import { isDnsLabel } from "@/lib/validation/names";

export const DEVBOX_NAME_MAX = 40;

export const LIMITS = {
  cpuMillis: { min: 250, max: 16000 },
  memoryMiB: { min: 256, max: 65536 },
  diskMiB: { min: 1024, max: 512 * 1024 },
  envVars: 100,
  ports: 20,
} as const;

export interface ResourceInput {
  cpuMillis: number;
  memoryMiB: number;
  diskMiB: number;
}

const bad = (message: string, field: string) => new AppError("bad_request", message, { field });

/** Devbox names become Pod, Service and Secret names and the pod's hostname: a DNS label. */
export function validateDevboxName(raw: string): string {
  const name = raw.trim();
  if (!name) throw bad("Give the devbox a name.", "name");
  if (name.length > DEVBOX_NAME_MAX) throw bad(`Names are at most ${DEVBOX_NAME_MAX} characters.`, "name");
  if (!isDnsLabel(name)) throw bad("Use lower-case letters, digits and '-', starting and ending with a letter or digit.", "name");
  return name;
}

export function validateResources(r: ResourceInput): ResourceInput {
  for (const key of ["cpuMillis", "memoryMiB", "diskMiB"] as const) {
    const v = r[key];
    const { min, max } = LIMITS[key];
    if (!Number.isInteger(v) || v < min || v > max) throw bad(`${label[key]} must be between ${fmt[key](min)} and ${fmt[key](max)}.`, key);
  }
  return r;
}

const label = { cpuMillis: "CPU", memoryMiB: "Memory", diskMiB: "Disk" };
const fmt = {
  cpuMillis: (v: number) => `${v / 1000} cores`,
  memoryMiB: (v: number) => (v >= 1024 ? `${v / 1024} GiB` : `${v} MiB`),
  diskMiB: (v: number) => `${v / 1024} GiB`,
};

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function validateEnv(env: EnvVar[]): EnvVar[] {
  if (env.length > LIMITS.envVars) throw bad(`At most ${LIMITS.envVars} environment variables.`, "env");
  const seen = new Set<string>();
  return env.map(({ name, value }) => {
    const n = name.trim();
    if (!envName.test(n)) throw bad(`"${n}" is not a valid variable name (letters, digits, '_', not starting with a digit).`, "env");
    if (seen.has(n)) throw bad(`"${n}" is set twice.`, "env");
    if (value.length > 32 * 1024) throw bad(`The value of ${n} is too long.`, "env");
    seen.add(n);
    return { name: n, value };
  });
}

export function validatePorts(ports: PortSpec[]): PortSpec[] {
  if (ports.length > LIMITS.ports) throw bad(`At most ${LIMITS.ports} ports.`, "ports");
  const seenPorts = new Set<number>();
  const seenNames = new Set<string>();
  return ports.map(({ port, name }) => {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`Port ${port} is not between 1 and 65535.`, "ports");
    if (port === 22) throw bad("Port 22 is reserved for SSH access.", "ports");
    // Kubernetes port names: an IANA service name, at most 15 characters.
    const n = (name || `port-${port}`).trim().toLowerCase();
    if (n.length > 15 || !isDnsLabel(n) || !/[a-z]/.test(n)) throw bad(`Port name "${n}" must be at most 15 lower-case letters, digits or '-'.`, "ports");
    if (seenPorts.has(port)) throw bad(`Port ${port} is listed twice.`, "ports");
    if (seenNames.has(n)) throw bad(`Port name "${n}" is used twice.`, "ports");
    seenPorts.add(port);
    seenNames.add(n);
    return { port, name: n };
  });
}

/** Parses "KEY=value" lines, as the form's textarea sends them. */
export function parseEnvLines(text: string): EnvVar[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const eq = l.indexOf("=");
      if (eq <= 0) throw bad(`"${l}" is not KEY=value.`, "env");
      return { name: l.slice(0, eq), value: l.slice(eq + 1) };
    });
}

/** Parses "3000" or "3000:http" entries separated by commas or spaces. */
export function parsePortList(text: string): PortSpec[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const [p, name] = entry.split(":");
      const port = Number(p);
      if (!/^\d+$/.test(p)) throw bad(`"${entry}" is not a port (use 3000 or 3000:http).`, "ports");
      return { port, name: name ?? "" };
    });
}
