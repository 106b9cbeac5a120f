import type { Database } from "@/db/client";
import type { Devbox } from "@/db/schema/devboxes";
import type { PreviewLevel } from "@/db/schema/preview-ports";
import type { User } from "@/db/schema/users";
import { enforceLimits, sharingLimits, waitText } from "@/lib/abuse/rate-limit";
import { recordAudit } from "@/lib/audit/record";
import { AppError, notFound } from "@/lib/errors";
import type { TeamWithRole } from "@/lib/teams/queries";
import { previewOrigin, previewPath, SHARE_PARAM } from "./host";
import { effectiveLevel, levelAtMost } from "./levels";
import { findShareLink, insertShareLink, instanceMaxLevel, listPortLevels, listShareLinks, revokeShareLink, setPortLevel, setTeamMaxLevel, teamMaxLevel } from "./queries";
import type { CreateShareLinkBody, PortView, ShareLinkView } from "./schemas";
import { previewSockets } from "./socket-registry";
import { signShareLink } from "./tokens";

function requirePort(devbox: Devbox, port: number) {
  const p = devbox.ports.find((x) => x.port === port);
  if (!p) throw notFound("Port");
  return p;
}

export async function listPorts(db: Database, team: TeamWithRole, devbox: Devbox): Promise<PortView[]> {
  const [levels, teamMax, instMax] = await Promise.all([listPortLevels(db, devbox.id), teamMaxLevel(db, team.id), instanceMaxLevel(db)]);
  return devbox.ports.map((p) => {
    const level = levels.get(p.port) ?? "private";
    return { port: p.port, name: p.name, level, effectiveLevel: effectiveLevel(level, teamMax, instMax), url: `${previewOrigin(p.port, devbox, team.slug)}/`, pathUrl: previewPath(p.port, devbox.name, team.slug) };
  });
}

/** Sets a port's level (within the team's and instance's maximum); open websockets are re-authorized at once. */
export async function changePortLevel(db: Database, user: User, team: TeamWithRole, devbox: Devbox, port: number, level: PreviewLevel): Promise<PortView> {
  requirePort(devbox, port);
  const [teamMax, instMax] = await Promise.all([teamMaxLevel(db, team.id), instanceMaxLevel(db)]);
  if (instMax && !levelAtMost(level, instMax)) throw new AppError("forbidden", `This instance allows preview levels up to "${instMax}".`, { field: "level" });
  if (teamMax && !levelAtMost(level, teamMax)) throw new AppError("forbidden", `This team allows preview levels up to "${teamMax}".`, { field: "level" });
  // The level and its audit event commit together: no grant the log does not show.
  await db.transaction(async (tx) => {
    await setPortLevel(tx, devbox.id, port, level, user.id);
    await recordAudit(tx, { actorId: user.id, teamId: team.id, action: "preview.level_set", target: devbox.name, details: { devboxId: devbox.id, port, level } });
  });
  await previewSockets().recheck(devbox.id);
  return (await listPorts(db, team, devbox)).find((p) => p.port === port)!;
}

export async function changeTeamMaxLevel(db: Database, user: User, team: TeamWithRole, maxLevel: PreviewLevel): Promise<void> {
  await db.transaction(async (tx) => {
    await setTeamMaxLevel(tx, team.id, maxLevel);
    await recordAudit(tx, { actorId: user.id, teamId: team.id, action: "preview.team_max_set", details: { maxLevel } });
  });
  await previewSockets().recheck();
}

/** The state as the proxy decides it (lib/authz/preview-access.ts), in the same order. */
function linkView(l: { id: string; port: number; label: string; createdAt: Date; expiresAt: Date; revokedAt: Date | null }, sharedBy: string | null, creatorMayShare = true): ShareLinkView {
  const state = l.revokedAt ? "revoked" : !creatorMayShare ? "creator_gone" : l.expiresAt <= new Date() ? "expired" : "active";
  return { id: l.id, port: l.port, label: l.label, sharedBy, createdAt: l.createdAt.toISOString(), expiresAt: l.expiresAt.toISOString(), revokedAt: l.revokedAt?.toISOString() ?? null, state };
}

export function shareUrl(team: { slug: string }, devbox: Devbox, port: number, linkId: string): string {
  return `${previewOrigin(port, devbox, team.slug)}/?${SHARE_PARAM}=${encodeURIComponent(signShareLink(linkId))}`;
}

/** A signed link to one port whose level is `link` (what is in force, not only what was set). */
export async function createShareLink(db: Database, user: User, team: TeamWithRole, devbox: Devbox, port: number, body: CreateShareLinkBody): Promise<ShareLinkView> {
  requirePort(devbox, port);
  const ports = await listPorts(db, team, devbox);
  const level = ports.find((p) => p.port === port)!.effectiveLevel;
  if (level !== "link") throw new AppError("conflict", `Share links need the port's level to be "link" (it is "${level}").`, { field: "level" });
  await enforceLimits(db, [[sharingLimits().shareLinks, user.id]], (s) => `Too many share links created: try again in ${waitText(s)}.`);
  const link = await db.transaction(async (tx) => {
    const link = await insertShareLink(tx, { devboxId: devbox.id, port, label: body.label, createdBy: user.id, expiresAt: new Date(Date.now() + body.expiresInHours * 3600_000) });
    await recordAudit(tx, { actorId: user.id, teamId: team.id, action: "share_link.created", target: devbox.name, details: { devboxId: devbox.id, port, linkId: link.id, label: body.label, expiresAt: link.expiresAt.toISOString() } });
    return link;
  });
  return { ...linkView(link, user.email), url: shareUrl(team, devbox, port, link.id) };
}

export async function listDevboxShareLinks(db: Database, devbox: Devbox, port?: number): Promise<ShareLinkView[]> {
  return (await listShareLinks(db, devbox.id, port)).map((r) => linkView(r.link, r.sharedBy, r.creatorMayShare === true));
}

/** Revokes at once: the next request with it is refused and its open websockets are cut. Idempotent. */
export async function revokeLink(db: Database, user: User, team: TeamWithRole, devbox: Devbox, linkId: string): Promise<void> {
  const link = /^[0-9a-f-]{36}$/.test(linkId) ? await findShareLink(db, linkId) : undefined;
  if (!link || link.devboxId !== devbox.id) throw notFound("Share link");
  // One transaction: a retry that finds it already revoked can skip the event only because the
  // revocation and its event committed together.
  await db.transaction(async (tx) => {
    if (!(await revokeShareLink(tx, linkId, user.id))) return;
    await recordAudit(tx, { actorId: user.id, teamId: team.id, action: "share_link.revoked", target: devbox.name, details: { devboxId: devbox.id, port: link.port, linkId } });
  });
  await previewSockets().recheck(devbox.id);
}
