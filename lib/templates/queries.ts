import { asc, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { templates, type PortSpec, type Template } from "@/db/schema/templates";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { isDnsLabel } from "@/lib/validation/names";
import { builtinTemplates } from "./builtin";

export const listTemplates = (db: Database): Promise<Template[]> => db.select().from(templates).orderBy(asc(templates.name));

export async function findTemplate(db: Database, id: string): Promise<Template | undefined> {
  const [row] = await db.select().from(templates).where(eq(templates.id, id)).limit(1);
  return row;
}

/** Inserts the built-in templates that are missing and keeps their image references current. */
export async function seedBuiltinTemplates(db: Database): Promise<void> {
  for (const t of builtinTemplates()) {
    await db
      .insert(templates)
      .values({ id: newId(), ...t, builtin: true })
      .onConflictDoUpdate({ target: templates.name, set: { image: t.image, description: t.description, builtin: true } });
  }
}

// registry[:port]/path[:tag][@sha256:…] — a reference containerd can pull.
const imageRef = /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[\w.-]+)?(@sha256:[a-f0-9]{64})?$/;

export async function addTemplate(
  db: Database,
  input: { name: string; displayName: string; description?: string; image: string; ports?: PortSpec[]; idleTimeoutMinutes?: number },
): Promise<Template> {
  if (!isDnsLabel(input.name, 40)) throw new AppError("bad_request", "Template names are DNS labels (a-z, 0-9, '-').", { field: "name" });
  if (!imageRef.test(input.image))
    throw new AppError("bad_request", "Give a full image reference, e.g. 127.0.0.1:5000/devbox/rust:bookworm.", { field: "image" });
  const [row] = await db
    .insert(templates)
    .values({ id: newId(), name: input.name, displayName: input.displayName || input.name, description: input.description ?? "", image: input.image, ports: input.ports ?? [], ...(input.idleTimeoutMinutes !== undefined ? { idleTimeoutMinutes: input.idleTimeoutMinutes } : {}) })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new AppError("conflict", `A template named "${input.name}" exists.`, { field: "name" });
  return row;
}
