import { AppError } from "@/lib/errors";
import type { CreateDevboxInput, UpdateDevboxInput } from "./service";

type Json = Record<string, unknown>;

async function readJson(req: Request): Promise<Json> {
  const body = await req.json().catch(() => null);
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new AppError("bad_request", "The request body must be a JSON object.");
  return body as Json;
}

const optionalInt = (b: Json, key: string): number | undefined => {
  if (b[key] === undefined) return undefined;
  if (typeof b[key] !== "number") throw new AppError("bad_request", `'${key}' must be a number.`, { field: key });
  return b[key] as number;
};

function optionalArray<T>(b: Json, key: string, check: (x: unknown) => x is T): T[] | undefined {
  if (b[key] === undefined) return undefined;
  if (!Array.isArray(b[key]) || !(b[key] as unknown[]).every(check)) throw new AppError("bad_request", `'${key}' has the wrong shape.`, { field: key });
  return b[key] as T[];
}

const isEnv = (x: unknown): x is { name: string; value: string } =>
  !!x && typeof (x as Json).name === "string" && typeof (x as Json).value === "string";
const isPort = (x: unknown): x is { port: number; name: string } =>
  !!x && typeof (x as Json).port === "number" && ((x as Json).name === undefined || typeof (x as Json).name === "string");

/** JSON bodies of the REST API, checked for shape; values are validated by the service. */
export async function parseCreateBody(req: Request): Promise<CreateDevboxInput> {
  const b = await readJson(req);
  if (typeof b.name !== "string") throw new AppError("bad_request", "'name' is required.", { field: "name" });
  if (typeof b.templateId !== "string") throw new AppError("bad_request", "'templateId' is required.", { field: "templateId" });
  return {
    name: b.name,
    templateId: b.templateId,
    cpuMillis: optionalInt(b, "cpuMillis"),
    memoryMiB: optionalInt(b, "memoryMiB"),
    diskMiB: optionalInt(b, "diskMiB"),
    env: optionalArray(b, "env", isEnv),
    ports: optionalArray(b, "ports", isPort)?.map((p) => ({ port: p.port, name: p.name ?? "" })),
  };
}

const UPDATE_FIELDS = ["cpuMillis", "memoryMiB", "diskMiB", "env", "ports", "podGeneration"];

export async function parseUpdateBody(req: Request): Promise<UpdateDevboxInput> {
  const b = await readJson(req);
  // An update replaces the Pod: one that names nothing to change (or only misspelt fields) is a mistake.
  const unknown = Object.keys(b).filter((k) => !UPDATE_FIELDS.includes(k));
  if (unknown.length) throw new AppError("bad_request", `Unknown field '${unknown[0].slice(0, 40)}'. Send any of: ${UPDATE_FIELDS.join(", ")}.`, { field: unknown[0].slice(0, 40) });
  if (!UPDATE_FIELDS.some((k) => k !== "podGeneration" && b[k] !== undefined)) throw new AppError("bad_request", "Nothing to change: send cpuMillis, memoryMiB, diskMiB, env or ports.");
  return {
    cpuMillis: optionalInt(b, "cpuMillis"),
    memoryMiB: optionalInt(b, "memoryMiB"),
    diskMiB: optionalInt(b, "diskMiB"),
    env: optionalArray(b, "env", isEnv),
    ports: optionalArray(b, "ports", isPort)?.map((p) => ({ port: p.port, name: p.name ?? "" })),
    seenGeneration: optionalInt(b, "podGeneration"),
  };
}

export async function parseStateBody(req: Request): Promise<"running" | "stopped"> {
  const b = await readJson(req);
  if (b.state !== "running" && b.state !== "stopped") throw new AppError("bad_request", "'state' must be \"running\" or \"stopped\".", { field: "state" });
  return b.state;
}

export async function parseRestartBody(req: Request): Promise<number | undefined> {
  const b = await readJson(req).catch(() => ({}) as Json);
  return optionalInt(b, "podGeneration");
}
