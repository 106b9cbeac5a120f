/** The browser's side of paged lists (lib/api/pagination.ts): every item, page after page. No Node imports. */
export async function allPages<T>(get: (url: string) => Promise<{ items: T[]; nextCursor: string | null }>, url: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes("?") ? "&" : "?";
    const page: { items: T[]; nextCursor: string | null } = await get(`${url}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
