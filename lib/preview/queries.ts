import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { devboxes, type Devbox } from "@/db/schema/devboxes";
import { instanceSettings } from "@/db/schema/instance-settings";
import { memberships, type TeamRole } from "@/db/schema/memberships";
import { previewCodes } from "@/db/schema/preview-codes";
import { previewPorts, type PreviewLevel } from "@/db/schema/preview-ports";
import { shareLinks, type ShareLink } from "@/db/schema/share-links";
import { teamPreviewSettings } from "@/db/schema/team-preview-settings";
import { teams, type Team } from "@/db/schema/teams";
import { users } from "@/db/schema/users";
import type { PreviewTarget } from "./host";
import { isPreviewLevel, type LinkState } from "./levels";
import { sha256 } from "./tokens";

export const INSTANCE_MAX_KEY = "preview_max_level";

/** The devbox (not deleted) and team a preview address names, or null. */
export async function resolveTarget(db: Database, t: PreviewTarget): Promise<{ devbox: Devbox; team: Team } | null> {
  const base = db.select({ devbox: devboxes, team: teams }).from(devboxes).innerJoin(teams, eq(teams.id, devboxes.teamId));
  let rows;
  if (t.kind === "id") rows = await base.where(eq(devboxes.id, t.devboxId)).limit(1);
  else {
    const conds = t.candidates.map((c) => and(eq(teams.slug, c.team), eq(devboxes.name, c.devbox)));
    rows = await base.where(conds.length === 1 ? conds[0] : sql.join(conds.map((c) => sql`(${c})`), sql` or `)).limit(1);
  }
  const row = rows[0];
  return row && row.devbox.desiredState !== "deleted" ? row : null;
}

/** The stored level of a port (private when never set), the team's and the instance's maximum. */
export async function portLevels(db: Database, devboxId: string, teamId: string, port: number): Promise<{ stored: PreviewLevel; teamMax?: PreviewLevel; instanceMax?: PreviewLevel }> {
  const [p, t, i] = await Promise.all([
    db.select({ level: previewPorts.level }).from(previewPorts).where(and(eq(previewPorts.devboxId, devboxId), eq(previewPorts.port, port))).limit(1),
    db.select({ max: teamPreviewSettings.maxLevel }).from(teamPreviewSettings).where(eq(teamPreviewSettings.teamId, teamId)).limit(1),
    instanceMaxLevel(db),
  ]);
  return { stored: p[0]?.level ?? "private", teamMax: t[0]?.max, instanceMax: i };
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

/** The user's role in the team, or null when not a member; undefined when the session no longer holds. */
export async function viewerRole(db: Database, userId: string, sessionVersion: number, teamId: string): Promise<TeamRole | null | undefined> {
  const [row] = await db
    .select({ sv: users.sessionVersion, role: memberships.role })
    .from(users)
    .leftJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.teamId, teamId)))
    .where(eq(users.id, userId))
    .limit(1);
  if (!row || row.sv !== sessionVersion) return undefined;
  return row.role ?? null;
}

// ---- share links -----------------------------------------------------------------

export async function linkState(db: Database, linkId: string | null, devboxId: string, port: number, now = new Date()): Promise<LinkState> {
  if (!linkId) return "none";
  const [l] = await db.select().from(shareLinks).where(eq(shareLinks.id, linkId)).limit(1);
  // A link for another port is no link here.
  if (!l || l.devboxId !== devboxId || l.port !== port) return "none";
  if (l.revokedAt) return "revoked";
  return l.expiresAt > now ? "valid" : "expired";
}

export async function insertShareLink(db: Database, v: { devboxId: string; port: number; label: string; createdBy: string; expiresAt: Date }): Promise<ShareLink> {
  const [row] = await db.insert(shareLinks).values(v).returning();
  return row;
}

export async function findShareLink(db: Database, id: string): Promise<ShareLink | undefined> {
  const [row] = await db.select().from(shareLinks).where(eq(shareLinks.id, id)).limit(1);
  return row;
}

export async function listShareLinks(db: Database, devboxId: string) {
  return db
    .select({ link: shareLinks, sharedBy: users.email })
    .from(shareLinks)
    .leftJoin(users, eq(users.id, shareLinks.createdBy))
    .where(eq(shareLinks.devboxId, devboxId))
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

export async function insertCode(db: Database, code: string, v: { userId: string; host: string; sessionVersion: number }): Promise<void> {
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

