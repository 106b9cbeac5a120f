import { and, asc, eq, inArray } from "drizzle-orm";
import type { Database } from "@/db/client";
import { memberships } from "@/db/schema/memberships";
import { userSshKeys } from "@/db/schema/user-ssh-keys";
import { recordAudit } from "@/lib/audit/record";
import { AppError, notFound } from "@/lib/errors";
import { parsePublicKey } from "./public-key";

const MAX_KEYS_PER_USER = 50;

export interface SshKeyView {
  id: string;
  name: string;
  type: string;
  fingerprint: string;
  createdAt: string;
}

export async function addSshKey(db: Database, userId: string, input: { name: string; publicKey: string }): Promise<SshKeyView> {
  const parsed = parsePublicKey(input.publicKey);
  const name = (input.name.trim() || parsed.comment || parsed.type).slice(0, 80);
  const existing = await db.select().from(userSshKeys).where(eq(userSshKeys.userId, userId));
  if (existing.some((k) => k.fingerprint === parsed.fingerprint)) throw new AppError("conflict", "You already added this key.", { field: "publicKey" });
  if (existing.length >= MAX_KEYS_PER_USER) throw new AppError("quota_exceeded", `At most ${MAX_KEYS_PER_USER} SSH keys per user.`);
  // The key (access to the user's teams' devboxes) and its audit event commit together: a retry
  // answers "already added" and could not log it any more.
  const row = await db.transaction(async (tx) => {
    const [row] = await tx.insert(userSshKeys).values({ userId, name, publicKey: parsed.key, fingerprint: parsed.fingerprint }).returning();
    await recordAudit(tx, { actorId: userId, action: "ssh_key.add", target: row.id, details: { name, fingerprint: row.fingerprint } });
    return row;
  });
  return view(row);
}

export async function listSshKeys(db: Database, userId: string): Promise<SshKeyView[]> {
  const rows = await db.select().from(userSshKeys).where(eq(userSshKeys.userId, userId)).orderBy(asc(userSshKeys.createdAt));
  return rows.map(view);
}

export async function deleteSshKey(db: Database, userId: string, id: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound("SSH key");
  await db.transaction(async (tx) => {
    const [row] = await tx.delete(userSshKeys).where(and(eq(userSshKeys.id, id), eq(userSshKeys.userId, userId))).returning();
    if (!row) throw notFound("SSH key");
    await recordAudit(tx, { actorId: userId, action: "ssh_key.delete", target: row.id, details: { name: row.name, fingerprint: row.fingerprint } });
  });
}

/** The public keys of every member of the team who may open its devboxes (developer or higher). */
export async function teamDeveloperKeys(db: Database, teamId: string): Promise<{ userId: string; key: string; fingerprint: string }[]> {
  return db
    .select({ userId: userSshKeys.userId, key: userSshKeys.publicKey, fingerprint: userSshKeys.fingerprint })
    .from(userSshKeys)
    .innerJoin(memberships, and(eq(memberships.userId, userSshKeys.userId), eq(memberships.teamId, teamId)))
    .where(inArray(memberships.role, ["developer", "admin", "owner"]))
    .orderBy(asc(userSshKeys.userId), asc(userSshKeys.createdAt));
}

function view(r: typeof userSshKeys.$inferSelect): SshKeyView {
  return { id: r.id, name: r.name, type: r.publicKey.split(" ")[0], fingerprint: r.fingerprint, createdAt: r.createdAt.toISOString() };
}
