import { eq, inArray } from "drizzle-orm";
import type { Database } from "@/db/client";
import { apps } from "@/db/schema/apps";
import { releases } from "@/db/schema/releases";
import { teams } from "@/db/schema/teams";
import type { AppCache } from "./app-cache";
import { appServiceName, SPEC_HASH_ANNOTATION, buildDeployment } from "./k8s-objects";
import { applyApp, removeAppObjects } from "./service";

/**
 * A row written this recently is being applied by the request that wrote it: applying it here too
 * doubles the Kubernetes calls, and the two replaces race on the resourceVersion (409), which fails
 * the user's request and puts the row back.
 */
const SETTLE_MS = 15_000;

/**
 * For the reconciler's leader: converges apps after a crash between a request's DB write and its
 * Kubernetes call. A row whose Deployment is missing or was applied from another spec is applied
 * again; a Deployment of this install's team namespaces whose app row is gone (deleted: the row
 * goes first) is removed with its Service. Reads the app cache, so a pass with nothing to do makes
 * no Kubernetes request.
 */
export async function reconcileApps(db: Database, cache: AppCache): Promise<void> {
  // The Deployments seen before the rows are read: a request writes the row before it creates the
  // Deployment, so every Deployment in this list whose app still exists has its row in `rows`
  // (read after the rows, an app created meanwhile would look orphaned and be removed).
  const seen = cache.deployments();
  const rows = await db.select({ app: apps, team: teams }).from(apps).innerJoin(teams, eq(teams.id, apps.teamId));
  const rs = rows.length ? await db.select().from(releases).where(inArray(releases.id, rows.map((r) => r.app.releaseId))) : [];
  const settled = Date.now() - SETTLE_MS;
  for (const { app, team } of rows) {
    const r = rs.find((x) => x.id === app.releaseId);
    if (!r || app.updatedAt.getTime() > settled) continue;
    const want = buildDeployment(app, r).metadata!.annotations![SPEC_HASH_ANNOTATION];
    const dep = cache.deploymentOf(app.id);
    if (dep?.metadata?.annotations?.[SPEC_HASH_ANNOTATION] === want) continue;
    console.log(`[devbox] app ${team.namespace}/${app.name}: applying the asked-for spec (${dep ? "it differs" : "its Deployment is missing"})`);
    await applyApp(team, app, r).catch((err) => console.error(`[devbox] app ${team.namespace}/${app.name}:`, err instanceof Error ? err.message : err));
  }
  const ours = new Set((await db.select({ ns: teams.namespace }).from(teams)).map((t) => t.ns));
  const ids = new Set(rows.map((r) => r.app.id));
  for (const d of seen) {
    if (ids.has(d.appId) || !ours.has(d.namespace)) continue;
    console.log(`[devbox] app Deployment ${d.namespace}/${d.name} has no app any more: removing it and Service ${appServiceName({ name: d.name })}`);
    await removeAppObjects(d.namespace, d.name).catch((err) => console.error(`[devbox] removing ${d.namespace}/${d.name}:`, err instanceof Error ? err.message : err));
  }
}
