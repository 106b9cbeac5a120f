import { AppError } from "@/lib/errors";

/**
 * PostgreSQL text cannot hold a NUL character: a JSON string with `\u0000` would reach a query and
 * fail there as a 500. No name, id or value we store may contain one, so such bodies are refused
 * up front, for every route. (The path is checked by server/host-guard.ts.)
 */
export async function refuseNulInBody(req: Request): Promise<void> {
  if (req.method === "GET" || req.method === "HEAD" || !req.body) return;
  const text = await req.clone().text();
  if (text.includes("\0") || /(^|[^\\])(\\\\)*\\u0000/i.test(text))
    throw new AppError("bad_request", "The request must not contain NUL characters.");
}
