import type { z } from "zod";
import { AppError } from "@/lib/errors";

/** A JSON body checked against its zod schema; the first problem becomes a 400 naming its field. */
export async function parseBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  const raw = await req.json().catch(() => undefined);
  const r = schema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.join(".") || undefined;
  throw new AppError("bad_request", field ? `'${field}': ${issue.message}` : (issue?.message ?? "Invalid request body."), { field });
}
