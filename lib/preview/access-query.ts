import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Database } from "@/db/client";
import { devboxes, type Devbox } from "@/db/schema/devboxes";
import { instanceSettings } from "@/db/schema/instance-settings";
import { memberships, type TeamRole } from "@/db/schema/memberships";
import { previewPorts, type PreviewLevel } from "@/db/schema/preview-ports";
import { revokedSessions } from "@/db/schema/revoked-sessions";
import { shareLinks } from "@/db/schema/share-links";
import { teamPreviewSettings } from "@/db/schema/team-preview-settings";
import { teams, type Team } from "@/db/schema/teams";
import { users } from "@/db/schema/users";
import type { PreviewTarget } from "./host";
import { isPreviewLevel } from "./levels";
import { creatorMayShareSql } from "./queries";

export interface AccessFacts {
  devbox: Devbox;
  team: Team;
  stored: PreviewLevel;
  teamMax?: PreviewLevel;
  instanceMax?: PreviewLevel;
  /**
   * The viewer's session version, role (null: not a member) and whether the viewer's session was
   * signed out; undefined without a viewer or account.
   */
  viewer?: { sessionVersion: number; role: TeamRole | null; signedOut: boolean };
  /** The share link's row, and whether its creator is still a member who may share (SHARE_LINK_MIN_ROLE). */
  link?: { devboxId: string; port: number; expiresAt: Date; revokedAt: Date | null; creatorMayShare: boolean };
}

/**
 * Everything one preview request's authorization needs, in ONE statement (every request and
 * every re-check runs it, so round trips are the proxy's latency): the devbox and team the
 * address names, the port's stored level, the team's and instance's maximum, the viewer's
 * session version, role and session's sign-out, and the share link's row with whether its
 * creator may still share (a membership change moves the cache's version: migration 0009).
 */
export async function accessFacts(db: Database, t: PreviewTarget, userId: string | null, linkId: string | null, sessionId: string | null = null): Promise<AccessFacts | null> {
  const where: SQL = t.kind === "id" ? eq(devboxes.id, t.devboxId) : and(eq(teams.slug, t.team), eq(devboxes.name, t.devbox))!;
  const signedOutSql = sessionId
    ? sql`exists (select 1 from ${revokedSessions} where ${revokedSessions.sessionId} = ${sessionId})`
    : sql`false`;
  const viewerSql = userId
    ? sql<string | null>`(select json_build_object('sv', ${users.sessionVersion}, 'role', ${memberships.role}, 'so', ${signedOutSql}) from ${users} left join ${memberships} on ${memberships.userId} = ${users.id} and ${memberships.teamId} = ${teams.id} where ${users.id} = ${userId})`
    : sql<null>`null`;
  const linkSql = linkId
    ? sql<string | null>`(select json_build_object('devboxId', ${shareLinks.devboxId}, 'port', ${shareLinks.port}, 'expiresAt', ${shareLinks.expiresAt}, 'revokedAt', ${shareLinks.revokedAt}, 'creatorMayShare', ${creatorMayShareSql(teams.id)}) from ${shareLinks} where ${shareLinks.id} = ${linkId})`
    : sql<null>`null`;
  const rows = await db
    .select({
      devbox: devboxes,
      team: teams,
      stored: sql<string | null>`(select ${previewPorts.level} from ${previewPorts} where ${previewPorts.devboxId} = ${devboxes.id} and ${previewPorts.port} = ${t.port})`,
      teamMax: sql<string | null>`(select ${teamPreviewSettings.maxLevel} from ${teamPreviewSettings} where ${teamPreviewSettings.teamId} = ${teams.id})`,
      // The setting is a JSON string: `#>> '{}'` unwraps it to text.
      instanceMax: sql<string | null>`(select ${instanceSettings.value} #>> '{}' from ${instanceSettings} where ${instanceSettings.key} = 'preview_max_level')`,
      viewer: viewerSql,
      link: linkSql,
    })
    .from(devboxes)
    .innerJoin(teams, eq(teams.id, devboxes.teamId))
    .where(where)
    .limit(1);
  const r = rows[0];
  if (!r || r.devbox.desiredState === "deleted") return null;
  const json = <T>(v: unknown): T | undefined => (v == null ? undefined : ((typeof v === "string" ? JSON.parse(v) : v) as T));
  const viewer = json<{ sv: number; role: TeamRole | null; so: boolean }>(r.viewer);
  const link = json<{ devboxId: string; port: number; expiresAt: string; revokedAt: string | null; creatorMayShare: boolean }>(r.link);
  const instanceMax = r.instanceMax ?? process.env.DEVBOX_PREVIEW_MAX_LEVEL;
  return {
    devbox: r.devbox,
    team: r.team,
    stored: isPreviewLevel(r.stored) ? r.stored : "private",
    teamMax: isPreviewLevel(r.teamMax) ? r.teamMax : undefined,
    instanceMax: isPreviewLevel(instanceMax) ? instanceMax : undefined,
    viewer: viewer && { sessionVersion: viewer.sv, role: viewer.role ?? null, signedOut: viewer.so === true },
    link: link && { devboxId: link.devboxId, port: link.port, expiresAt: new Date(link.expiresAt), revokedAt: link.revokedAt ? new Date(link.revokedAt) : null, creatorMayShare: link.creatorMayShare === true },
  };
}
