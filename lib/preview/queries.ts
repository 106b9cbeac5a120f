import { and, desc, eq, gt, inArray, isNull, sql, type SQLWrapper } from "drizzle-orm";
import type { Database } from "@/db/client";
import { instanceSettings } from "@/db/schema/instance-settings";
import { devboxes } from "@/db/schema/devboxes";
import { memberships } from "@/db/schema/memberships";
import { previewCodes } from "@/db/schema/preview-codes";
import { previewPorts, type PreviewLevel } from "@/db/schema/preview-ports";
import { shareLinks, type ShareLink } from "@/db/schema/share-links";
import { teamPreviewSettings } from "@/db/schema/team-preview-settings";
import { users } from "@/db/schema/users";
import { ROLES, roleAtLeast } from "@/lib/teams/roles";
import { isPreviewLevel, SHARE_LINK_MIN_ROLE } from "./levels";
import { sha256 } from "./tokens";

export const INSTANCE_MAX_KEY = "preview_max_level";

const SHARING_ROLES = ROLES.filter((r) => roleAtLeast(r, SHARE_LINK_MIN_ROLE));

/**
 * Whether a share link's creator may still share in the link's team (a member with
 * SHARE_LINK_MIN_ROLE): a link carries their authority and holds only while they may, as an
 * invite holds while creatorMayInvite. One condition for the proxy's access facts
 * (access-query.ts) and the links list, so they cannot disagree.
 */
export function creatorMayShareSql(teamId: SQLWrapper) {
  return sql<boolean>`exists (select 1 from ${memberships} where ${memberships.teamId} = ${teamId} and ${memberships.userId} = ${shareLinks.createdBy} and ${inArray(memberships.role, SHARING_ROLES)})`;
}

export async function listPortLevels(db: Database, devboxId: string): Promise<Map<number, PreviewLevel>> {
  const rows = await db.select().from(previewPorts).where(eq(previewPorts.devboxId, devboxId));
  return new Map(rows.map((r) => [r.port, r.level]));
}

export async function setPortLevel(db: Database, devboxId: string, port: number, level: PreviewLevel, by: string): Promise<void> {
  await db
    .insert(previewPorts)
    .values({ devboxId, port, level, updatedBy: by })
    .onConflictDoUpdate({ target: [previewPorts.devboxId, previewPorts.port], set: { level, updatedBy: by, updatedAt: new Date() } });
}

/** The instance maximum: the admin's setting, else DEVBOX_PREVIEW_MAX_LEVEL, else none (public allowed). */
export async function instanceMaxLevel(db: Database): Promise<PreviewLevel | undefined> {
  const [row] = await db.select().from(instanceSettings).where(eq(instanceSettings.key, INSTANCE_MAX_KEY)).limit(1);
  const v = row?.value ?? process.env.DEVBOX_PREVIEW_MAX_LEVEL;
  return isPreviewLevel(v) ? v : undefined;
}

export async function setInstanceMaxLevel(db: Database, level: PreviewLevel): Promise<void> {
  await db
    .insert(instanceSettings)
    .values({ key: INSTANCE_MAX_KEY, value: level })
    .onConflictDoUpdate({ target: instanceSettings.key, set: { value: level, updatedAt: new Date() } });
}

export async function teamMaxLevel(db: Database, teamId: string): Promise<PreviewLevel | undefined> {
  const [row] = await db.select().from(teamPreviewSettings).where(eq(teamPreviewSettings.teamId, teamId)).limit(1);
  return row?.maxLevel;
}

export async function setTeamMaxLevel(db: Database, teamId: string, maxLevel: PreviewLevel): Promise<void> {
  await db
    .insert(teamPreviewSettings)
    .values({ teamId, maxLevel })
    .onConflictDoUpdate({ target: teamPreviewSettings.teamId, set: { maxLevel, updatedAt: new Date() } });
}

// ---- share links -----------------------------------------------------------------

export async function insertShareLink(db: Database, v: { devboxId: string; port: number; label: string; createdBy: string; expiresAt: Date }): Promise<ShareLink> {
  const [row] = await db.insert(shareLinks).values(v).returning();
  return row;
}

export async function findShareLink(db: Database, id: string): Promise<ShareLink | undefined> {
  const [row] = await db.select().from(shareLinks).where(eq(shareLinks.id, id)).limit(1);
  return row;
}

export async function listShareLinks(db: Database, devboxId: string, port?: number) {
  return db
    .select({ link: shareLinks, sharedBy: users.email, creatorMayShare: creatorMayShareSql(devboxes.teamId) })
    .from(shareLinks)
    .innerJoin(devboxes, eq(devboxes.id, shareLinks.devboxId))
    .leftJoin(users, eq(users.id, shareLinks.createdBy))
    .where(and(eq(shareLinks.devboxId, devboxId), port === undefined ? undefined : eq(shareLinks.port, port)))
    .orderBy(desc(shareLinks.createdAt));
}

/** Revokes once; false when it was already revoked (idempotent for the caller). */
export async function revokeShareLink(db: Database, id: string, by: string): Promise<boolean> {
  const rows = await db
    .update(shareLinks)
    .set({ revokedAt: new Date(), revokedBy: by })
    .where(and(eq(shareLinks.id, id), isNull(shareLinks.revokedAt)))
    .returning({ id: shareLinks.id });
  return rows.length > 0;
}

// ---- hand-off codes ----------------------------------------------------------------

export const CODE_TTL_MS = 60_000;

export async function insertCode(db: Database, code: string, v: { userId: string; host: string; sessionVersion: number; sessionId?: string | null }): Promise<void> {
  await db.insert(previewCodes).values({ codeHash: sha256(code), ...v, expiresAt: new Date(Date.now() + CODE_TTL_MS) });
}

/** Uses a code once: the row is claimed by one conditional UPDATE, so a replayed code finds nothing. */
export async function claimCode(db: Database, code: string, host: string) {
  const [row] = await db
    .update(previewCodes)
    .set({ usedAt: new Date() })
    .where(and(eq(previewCodes.codeHash, sha256(code)), eq(previewCodes.host, host), isNull(previewCodes.usedAt), gt(previewCodes.expiresAt, new Date())))
    .returning();
  return row ?? null;
}

export async function purgeOldCodes(db: Database): Promise<void> {
  await db.delete(previewCodes).where(sql`${previewCodes.expiresAt} < now() - interval '1 hour'`);
}

