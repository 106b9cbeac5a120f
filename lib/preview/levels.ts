import type { TeamRole } from "@/db/schema/memberships";
import type { PreviewLevel } from "@/db/schema/preview-ports";

/** Lowest to highest exposure. No Node imports: the UI uses it too. */
export const PREVIEW_LEVELS: readonly PreviewLevel[] = ["private", "team", "link", "public"];

const rank = (l: PreviewLevel) => PREVIEW_LEVELS.indexOf(l);

export function isPreviewLevel(s: unknown): s is PreviewLevel {
  return typeof s === "string" && (PREVIEW_LEVELS as readonly string[]).includes(s);
}

export function levelAtMost(level: PreviewLevel, max: PreviewLevel): boolean {
  return rank(level) <= rank(max);
}

/** The level in force: what was set, lowered to the team's and the instance's maximum. */
export function effectiveLevel(stored: PreviewLevel, ...maxima: (PreviewLevel | undefined)[]): PreviewLevel {
  let l = stored;
  for (const m of maxima) if (m && rank(m) < rank(l)) l = m;
  return l;
}

/**
 * Who may make a share link (the share-links route) — and whose links hold: a link carries its
 * creator's authority, so it stops working once they are no longer a member with this role
 * (lib/preview/access-query.ts reads it with the link, as invites check creatorMayInvite).
 */
export const SHARE_LINK_MIN_ROLE: TeamRole = "developer";

/** Who asks: a signed-in user (role null = not a member of the devbox's team) or nobody. */
export type Viewer = { userId: string; role: TeamRole | null } | null;
/** creator_gone: whoever made the link is no member of the team with SHARE_LINK_MIN_ROLE any more. */
export type LinkState = "none" | "valid" | "expired" | "revoked" | "creator_gone";

export type Decision = "allow" | "signin" | "forbidden" | "not_found" | "link_expired" | "link_revoked" | "link_creator_gone";

/**
 * The one access rule of preview URLs (unit-tested as a table):
 * - `public`: anyone.
 * - `link`: a valid share link for this port, or any team member.
 * - `team`: team members.
 * - `private`: the devbox's creator (who must still be a member).
 * Nobody signed in → sign in first (a link that no longer holds says so instead). A signed-in
 * user outside the team gets "not found", as everywhere else (other teams' names never leak);
 * a member below the level gets "forbidden".
 */
export function decide(level: PreviewLevel, viewer: Viewer, creatorId: string | null, link: LinkState): Decision {
  if (level === "public") return "allow";
  const member = viewer?.role != null;
  if (level === "link") {
    if (link === "valid" || member) return "allow";
    if (link === "expired") return "link_expired";
    if (link === "revoked") return "link_revoked";
    if (link === "creator_gone") return "link_creator_gone";
  }
  if (!viewer) return "signin";
  if (!member) return "not_found";
  if (level === "team" || level === "link") return "allow";
  return viewer.userId === creatorId ? "allow" : "forbidden";
}
