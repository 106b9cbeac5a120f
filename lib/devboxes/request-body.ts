import { readBody } from "@/lib/api/body";
import { CreateDevboxBody, DevboxStateBody, RestartBody, UpdateDevboxBody } from "./schemas";
import type { CreateDevboxInput, UpdateDevboxInput } from "./service";

/** JSON bodies of the REST API, checked by their schemas (lib/devboxes/schemas.ts); values are validated by the service. */
export async function parseCreateBody(req: Request): Promise<CreateDevboxInput> {
  const b = await readBody(req, CreateDevboxBody);
  return { ...b, ports: b.ports?.map((p) => ({ port: p.port, name: p.name ?? "" })) };
}

export async function parseUpdateBody(req: Request): Promise<UpdateDevboxInput> {
  const { podGeneration, ...b } = await readBody(req, UpdateDevboxBody);
  return { ...b, ports: b.ports?.map((p) => ({ port: p.port, name: p.name ?? "" })), seenGeneration: podGeneration };
}

export async function parseStateBody(req: Request): Promise<"running" | "stopped"> {
  return (await readBody(req, DevboxStateBody)).state;
}

export async function parseRestartBody(req: Request): Promise<number | undefined> {
  return (await readBody(req, RestartBody, { optional: true })).podGeneration;
}
