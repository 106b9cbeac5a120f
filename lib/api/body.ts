import { z } from "zod";
import { AppError } from "@/lib/errors";

/**
 * Request bodies and query strings checked by the same zod schema the OpenAPI document shows
 * (lib/api/operations/). The first problem becomes the one error shape, naming its field.
 */
export async function readBody<S extends z.ZodType>(req: Request, schema: S, opts: { optional?: boolean } = {}): Promise<z.infer<S>> {
  const text = await req.text();
  let json: unknown;
  if (opts.optional && text.trim() === "") json = {};
  else {
    try {
      json = JSON.parse(text);
    } catch {
      throw new AppError("bad_request", "The request body must be a JSON object.");
    }
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new AppError("bad_request", "The request body must be a JSON object.");
  return check(schema, json);
}

/** Query parameters: a string per name (the schemas coerce numbers). */
export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  return check(schema, params);
}

export function check<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw issueToError(result.error.issues[0]);
}

function issueToError(issue: z.core.$ZodIssue): AppError {
  if (issue.code === "unrecognized_keys") {
    const key = String(issue.keys[0]).slice(0, 40);
    return new AppError("bad_request", issue.message, { field: key });
  }
  const field = issue.path.length ? String(issue.path[0]) : undefined;
  // zod's own texts ("Invalid input: expected string, received number") are replaced per field by
  // the schemas; one that was not reads as the field and what it must be.
  const message = /^Invalid|^Too (big|small)|^Expected/.test(issue.message) && field ? `'${field}': ${issue.message}.` : issue.message;
  return new AppError("bad_request", message, field ? { field } : {});
}
