import type { z } from "zod";
import { AppError } from "@/lib/errors";

/**
 * Reads a JSON request body and checks it against a zod schema; the first problem becomes a
 * bad_request naming its field, in words a user can act on.
 */
export async function parseJsonBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    const text = await req.text();
    raw = text.trim() ? JSON.parse(text) : {};
  } catch {
    throw new AppError("bad_request", "The request body is not valid JSON.");
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.map(String).join(".") || undefined;
  throw new AppError("bad_request", field ? `${field}: ${issue.message}` : issue.message, { field: issue.path[0] !== undefined ? String(issue.path[0]) : undefined });
}
