import { desc, eq, inArray } from "drizzle-orm";
import type { Database } from "@/db/client";
import { devboxes } from "@/db/schema/devboxes";
import { snapshots } from "@/db/schema/snapshots";
import { users } from "@/db/schema/users";

/** What a user looks for first besides the live state: who made it and what was saved last. JSON-safe. */
export interface DevboxFacts {
  createdBy: string | null;
  lastSnapshot: { at: string; bytesAdded: number; trigger: string } | null;
}

/** Two queries for any number of devboxes (list pages): the creators, then each one's newest snapshot. */
export async function devboxFacts(db: Database, devboxIds: string[]): Promise<Record<string, DevboxFacts>> {
  if (devboxIds.length === 0) return {};
  const [creators, latest] = await Promise.all([
    db
      .select({ id: devboxes.id, name: users.name, email: users.email })
      .from(devboxes)
      .leftJoin(users, eq(users.id, devboxes.createdBy))
      .where(inArray(devboxes.id, devboxIds)),
    db
      .selectDistinctOn([snapshots.devboxId], { devboxId: snapshots.devboxId, at: snapshots.createdAt, bytesAdded: snapshots.bytesAdded, trigger: snapshots.trigger })
      .from(snapshots)
      .where(inArray(snapshots.devboxId, devboxIds))
      .orderBy(snapshots.devboxId, desc(snapshots.createdAt)),
  ]);
  const out: Record<string, DevboxFacts> = {};
  for (const c of creators) out[c.id] = { createdBy: c.email ?? null, lastSnapshot: null };
  for (const s of latest) if (out[s.devboxId]) out[s.devboxId].lastSnapshot = { at: s.at.toISOString(), bytesAdded: s.bytesAdded, trigger: s.trigger };
  return out;
}
