import { CoreV1Api, KubeConfig, type V1Pod } from "@kubernetes/client-node";
import type { Database } from "@/db/client";
import type { Devbox } from "@/db/schema/devboxes";
import type { Team } from "@/db/schema/teams";
import { pendingOperations, findDevbox } from "@/lib/devboxes/queries";
import { deriveStatus, type DevboxState } from "@/lib/devboxes/status";
import { devboxPodCache } from "@/lib/k8s/pod-cache";
import { DEVBOX_ID_LABEL } from "@/lib/devboxes/k8s-objects";
import type { User } from "@/db/schema/users";
import { testBackends } from "@/db/test-backends";
import { randomSuffix } from "@/lib/ids";
import { Reconciler } from "@/lib/reconciler/controller";
import type { BeforePodRemoval } from "@/lib/reconciler/pod-removal";
import { listTeamsForUser } from "@/lib/teams/queries";
import { listTemplates, seedBuiltinTemplates } from "@/lib/templates/queries";
import { registerUser } from "@/lib/users/register";

export const admin = new KubeConfig();
admin.loadFromFile(process.env.DEVBOX_ADMIN_KUBECONFIG ?? "/var/lib/devbox-cluster/kubeconfig/admin.kubeconfig");
export const adminCore = admin.makeApiClient(CoreV1Api);

/** Polls until `check` returns a value (not undefined), or fails with the last observation. */
export async function eventually<T>(what: string | (() => string), check: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}${last ? `: ${last}` : ""}`);
}

/** The devbox's state as the dashboard derives it (DB + Pod cache), re-read each time. */
export async function stateOf(db: Database, team: Team, name: string): Promise<{ state: DevboxState | "Gone"; reason?: string; devbox?: Devbox }> {
  const d = await findDevbox(db, team.id, name);
  if (!d) return { state: "Gone" };
  const pending = await pendingOperations(db, [d.id]);
  const s = deriveStatus(d, devboxPodCache().podsOf(d.id), pending.get(d.id)?.[0]?.kind);
  return { ...s, devbox: d };
}

export async function waitForState(db: Database, team: Team, name: string, state: DevboxState | "Gone", timeoutMs = 120_000) {
  let last = "";
  return eventually(
    () => `${name} to be ${state} (last seen: ${last})`,
    async () => {
      const s = await stateOf(db, team, name);
      last = `${s.state}${s.reason ? `: ${s.reason}` : ""}`;
      if (s.state === "Error" && state !== "Error") throw new Error(`devbox is in Error: ${s.reason}`);
      return s.state === state ? s : undefined;
    },
    timeoutMs,
  );
}

/** Pods of a devbox straight from the apiserver (not the cache), as the admin. */
export async function podsFromApi(namespace: string, devboxId: string): Promise<V1Pod[]> {
  return (await adminCore.listNamespacedPod({ namespace, labelSelector: `${DEVBOX_ID_LABEL}=${devboxId}` })).items;
}

export interface DevboxWorld {
  db: Database;
  /** Set for PostgreSQL: child processes can open the same database. */
  url?: string;
  owner: User;
  team: Team;
  templateId: string;
  reconciler?: Reconciler;
  /** Stops the reconciler and the watch, deletes the team's namespace, closes the DB. */
  close(): Promise<void>;
}

/**
 * Makes `db` the process's DB handle, so code that calls getDb() (authorization: lib/authz/)
 * reads the test's rows instead of opening a DB of its own. Returns the undo.
 */
export function installProcessDatabase(db: Database): () => void {
  const key = Symbol.for("devbox.database");
  const g = globalThis as Record<symbol, unknown>;
  const previous = g[key];
  g[key] = Promise.resolve({ db, kind: "pglite", migrate: async () => {}, close: async () => {} });
  return () => {
    g[key] = previous;
  };
}

/**
 * A fresh DB with the built-in templates, one user and their personal team (its namespace made
 * by the dashboard's own code), the Pod watch running, and, unless `reconcile` is false, an
 * in-process reconciler that has become leader.
 */
export async function openDevboxWorld(opts: {
  backend?: "pglite" | "postgres";
  /** false: watch only; otherwise the hook run before a Pod is removed (default: keep nothing). */
  reconcile?: false | ((db: Database) => BeforePodRemoval);
  who: string;
}): Promise<DevboxWorld> {
  const backend = testBackends().find((b) => b.name === (opts.backend ?? "pglite"));
  if (!backend) throw new Error("this test needs PostgreSQL: set TEST_DATABASE_URL (scripts/postgres.sh prints one)");
  const { db, close, url } = await backend.open();
  await seedBuiltinTemplates(db);
  const templateId = (await listTemplates(db)).find((t) => t.name === "debian")!.id;
  const owner = await registerUser(db, { email: `${opts.who}-${randomSuffix()}@example.com`, password: "correct horse 7" });
  const [team] = await listTeamsForUser(db, owner.id);
  const pods = devboxPodCache();
  pods.start();
  let reconciler: Reconciler | undefined;
  if (opts.reconcile !== false) {
    reconciler = new Reconciler(db, pods, opts.reconcile?.(db));
    await reconciler.start();
    await eventually("leadership", async () => (reconciler!.isLeader ? true : undefined), 30_000);
  } else {
    await pods.ready();
  }
  return {
    db,
    url,
    owner,
    team,
    templateId,
    reconciler,
    async close() {
      await reconciler?.stop();
      await pods.stop();
      await adminCore.deleteNamespace({ name: team.namespace }).catch(() => {});
      await close();
    },
  };
}
