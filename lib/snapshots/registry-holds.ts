import { and, eq, gt, lte } from "drizzle-orm";
import type { Database } from "@/db/client";
import { registryHolds } from "@/db/schema/registry-holds";

/**
 * Pushes and garbage collection never overlap, across replicas: each side first writes its own
 * hold, then looks for the other's. Whichever looks second sees the first, so at most one
 * proceeds (both may back off; they retry). A crashed process's hold expires: a push's after an
 * hour (the agent may still be pushing for the dead dashboard), a sweep's after 15 minutes.
 */
const PUSH_HOLD_MS = 60 * 60_000;
const GC_HOLD_MS = 15 * 60_000;
const GC_HOLD_ID = "registry-gc";

/** A push cannot start while the registry is being swept; the caller retries later. */
export class RegistryBusyError extends Error {
  constructor() {
    super("The image registry is being cleaned up right now; the snapshot is retried in a moment. Nothing is lost: the changes stay in the container.");
    this.name = "RegistryBusyError";
  }
}

/** Takes (or renews, on a retry of the same request) the push hold `id`; throws RegistryBusyError during a sweep. */
export async function beginPush(db: Database, id: string): Promise<void> {
  const expiresAt = new Date(Date.now() + PUSH_HOLD_MS);
  await db.insert(registryHolds).values({ id: `push:${id}`, kind: "push", expiresAt }).onConflictDoUpdate({ target: registryHolds.id, set: { expiresAt } });
  const [gc] = await db.select().from(registryHolds).where(and(eq(registryHolds.kind, "gc"), gt(registryHolds.expiresAt, new Date()))).limit(1);
  if (gc) {
    await endPush(db, id);
    throw new RegistryBusyError();
  }
}

/** Releases the push hold; `tx` lets the release commit together with the snapshot's record. */
export async function endPush(db: Pick<Database, "delete">, id: string): Promise<void> {
  await db.delete(registryHolds).where(eq(registryHolds.id, `push:${id}`));
}

/**
 * Runs `sweep` unless a push is in flight (then returns undefined: try again later). Expired
 * holds of crashed processes are dropped first.
 */
export async function whileNoPushes<T>(db: Database, sweep: () => Promise<T>): Promise<T | undefined> {
  await db.delete(registryHolds).where(lte(registryHolds.expiresAt, new Date()));
  const taken = await db.insert(registryHolds).values({ id: GC_HOLD_ID, kind: "gc", expiresAt: new Date(Date.now() + GC_HOLD_MS) }).onConflictDoNothing().returning();
  if (taken.length === 0) return undefined; // another replica is sweeping
  try {
    const [push] = await db.select().from(registryHolds).where(eq(registryHolds.kind, "push")).limit(1);
    if (push) return undefined;
    return await sweep();
  } finally {
    await db.delete(registryHolds).where(eq(registryHolds.id, GC_HOLD_ID));
  }
}
