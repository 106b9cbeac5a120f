/**
 * The browser's one way to call our REST API (no Node imports): JSON in, JSON (or text) out, and a
 * refusal thrown as an ApiError carrying the API's own error.message (lib/errors.ts ErrorBody).
 * Unsafe methods always send Content-Type: application/json, body or not: the CSRF check
 * (lib/http/csrf.ts) refuses them otherwise.
 */
import type { ErrorBody } from "@/lib/errors";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: ErrorBody["code"],
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export async function apiCall<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: method === "GET" || method === "HEAD" ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  if (res.status === 204) return undefined as T;
  const json = (res.headers.get("content-type") ?? "").includes("json");
  const data: unknown = json ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    const error = json ? (data as { error?: Partial<ErrorBody> } | null)?.error : undefined;
    throw new ApiError(error?.message ?? `Request failed (${res.status}).`, res.status, error?.code, error?.field);
  }
  return data as T;
}

/** Every item of a paged list (lib/api/pagination.ts), page after page of up to 200. */
export async function allPages<T>(url: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes("?") ? "&" : "?";
    const page: { items: T[]; nextCursor: string | null } = await apiCall("GET", `${url}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
