import { z } from "zod";
import { AppError } from "@/lib/errors";

export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 200;

/** The answer to a cursor this API did not give out (lists and the audit trail). */
export const INVALID_CURSOR = "'cursor' is not a cursor of this list: pass the previous page's nextCursor, or leave it out for the first page.";

export function invalidCursor(): AppError {
  return new AppError("bad_request", INVALID_CURSOR, { field: "cursor" });
}

/** `?limit=&cursor=` of every list endpoint. */
export const PageQuery = z.object({
  limit: z.coerce
    .number({ error: `'limit' must be a whole number from 1 to ${PAGE_LIMIT_MAX}.` })
    .int({ error: `'limit' must be a whole number from 1 to ${PAGE_LIMIT_MAX}.` })
    .min(1, { error: `'limit' must be a whole number from 1 to ${PAGE_LIMIT_MAX}.` })
    .max(PAGE_LIMIT_MAX, { error: `'limit' must be a whole number from 1 to ${PAGE_LIMIT_MAX}.` })
    .optional()
    .meta({ description: `Items per page (default ${PAGE_LIMIT_DEFAULT}).` }),
  cursor: z.string({ error: "'cursor' must be a string." }).max(500, { error: INVALID_CURSOR }).optional().meta({ description: "`nextCursor` of the previous page." }),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** A page of a list: `nextCursor` is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({ items: z.array(item), nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last one." }) })
    .meta({ id, description: `A page of ${id.replace(/Page$/, "")} items.` });
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Keyset pagination: items are ordered by a unique key and the cursor is the last item's key, so
 * items added or removed meanwhile neither repeat nor shift the next page. The lists paged here
 * are bounded (team quota, snapshots kept per devbox, members of a team), so the page is cut after
 * the query rather than in SQL; the order is by the key here, in code points, where the cursor is
 * compared.
 */
export function paginate<T>(items: T[], keyOf: (item: T) => string, query: PageQuery, order: "asc" | "desc" = "asc"): Page<T> {
  const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
  const sign = order === "asc" ? 1 : -1;
  const cmp = (a: string, b: string) => sign * (a < b ? -1 : a > b ? 1 : 0);
  const sorted = items.map((item) => ({ item, key: keyOf(item) })).sort((a, b) => cmp(a.key, b.key));
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const rest = after === undefined ? sorted : sorted.filter((x) => cmp(x.key, after) > 0);
  const slice = rest.slice(0, limit);
  return { items: slice.map((x) => x.item), nextCursor: rest.length > limit ? encodeCursor(slice[slice.length - 1].key) : null };
}

const encodeCursor = (key: string) => Buffer.from(key, "utf8").toString("base64url");

/**
 * Only what encodeCursor made: base64url of UTF-8, so it encodes back to itself. Anything else
 * (`?cursor=garbage` decodes to bytes that are no key) would silently answer an empty or wrong page.
 */
function decodeCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  const key = Buffer.from(cursor, "base64url").toString("utf8");
  if (key === "" || encodeCursor(key) !== cursor) throw invalidCursor();
  return key;
}
