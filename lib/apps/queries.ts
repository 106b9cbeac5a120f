import { inArray } from "drizzle-orm";
import type { Database } from "@/db/client";
import type { App } from "@/db/schema/apps";
import { releases, type Release } from "@/db/schema/releases";
import { AppError } from "@/lib/errors";
import { appCache } from "./app-cache";
import { appView, type AppView } from "./view";

/** Views of apps: rows from the DB, state from the app cache (no Kubernetes request per view). */
export async function appViews(db: Database, list: App[]): Promise<AppView[]> {
  const ids = [...new Set(list.flatMap((a) => [a.releaseId, a.previousReleaseId].filter((x): x is string => !!x)))];
  const rs = ids.length ? await db.select().from(releases).where(inArray(releases.id, ids)) : [];
  const byId = new Map<string, Release>(rs.map((r) => [r.id, r]));
  const cache = appCache();
  await waitForCache(cache.ready());
  return list.map((a) => appView(a, byId.get(a.releaseId), a.previousReleaseId ? byId.get(a.previousReleaseId) : undefined, cache.deploymentOf(a.id), cache.podsOf(a.id)));
}

/** The first list of the app watch; a cluster that does not answer is an error, not a hung page. */
async function waitForCache(ready: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError("unavailable", "The apps' state cannot be read from Kubernetes right now. Try again shortly.")), 10_000);
  });
  try {
    await Promise.race([ready, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
