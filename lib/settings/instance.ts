import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { instanceSettings } from "@/db/schema/instance-settings";

/** One instance-wide setting (instance_settings), or undefined when it was never written. */
export async function getSetting<T>(db: Pick<Database, "select">, key: string): Promise<T | undefined> {
  const [row] = await db.select().from(instanceSettings).where(eq(instanceSettings.key, key)).limit(1);
  return row?.value as T | undefined;
}

export async function setSetting(db: Pick<Database, "insert">, key: string, value: unknown): Promise<void> {
  await db
    .insert(instanceSettings)
    .values({ key, value })
    .onConflictDoUpdate({ target: instanceSettings.key, set: { value, updatedAt: new Date() } });
}

/** Open sign-up: the admin's choice in settings wins over DEVBOX_SIGNUP (open|closed, default open). */
export async function isSignupOpen(db: Pick<Database, "select">): Promise<boolean> {
  const stored = await getSetting<boolean>(db, "signup_open");
  if (stored !== undefined) return stored;
  return (process.env.DEVBOX_SIGNUP ?? "open") !== "closed";
}

export const setSignupOpen = (db: Database, open: boolean) => setSetting(db, "signup_open", open);

/** Teams a user may own besides their personal one: the admin's setting, else DEVBOX_MAX_TEAMS_PER_USER (10). */
export async function maxTeamsPerUser(db: Pick<Database, "select">): Promise<number> {
  const stored = await getSetting<number>(db, "max_teams_per_user");
  const n = stored ?? Number(process.env.DEVBOX_MAX_TEAMS_PER_USER ?? 10);
  return Number.isFinite(n) && n >= 0 ? n : 10;
}

export const setMaxTeamsPerUser = (db: Database, n: number) => setSetting(db, "max_teams_per_user", n);

/** A random value made once and stored: the first writer wins, so every replica reads the same. */
async function ensureGenerated(db: Database, key: string, make: () => string): Promise<string> {
  const existing = await getSetting<string>(db, key);
  if (existing) return existing;
  await db.insert(instanceSettings).values({ key, value: make() }).onConflictDoNothing();
  return (await getSetting<string>(db, key))!;
}

/**
 * The secret that signs session tokens. Generated once and stored in the DB, so sessions survive
 * restarts and every replica agrees, unless the operator sets NEXTAUTH_SECRET.
 */
export async function ensureAuthSecret(db: Database): Promise<string> {
  if (process.env.NEXTAUTH_SECRET) return process.env.NEXTAUTH_SECRET;
  return ensureGenerated(db, "auth_secret", () => randomBytes(32).toString("base64url"));
}

/**
 * This install's identity: a random id stored once in the DB, written on the team namespaces it
 * makes (lib/k8s/team-namespace.ts), so a namespace left by its own team creation that crashed
 * before its transaction committed is told apart from another install's in the same cluster.
 */
export const ensureInstallId = (db: Database) => ensureGenerated(db, "install_id", () => randomBytes(16).toString("hex"));
