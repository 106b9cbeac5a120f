import type { Database } from "@/db/client";
import type { Devbox } from "@/db/schema/devboxes";
import type { PreviewLevel } from "@/db/schema/preview-ports";
import type { Team } from "@/db/schema/teams";
import { previewAccessCache } from "@/lib/preview/access-cache";
import type { PreviewTarget } from "@/lib/preview/host";
import { decide, effectiveLevel, type Decision, type LinkState, type Viewer } from "@/lib/preview/levels";

/** Who presents themselves at a preview URL: a user session (already signature-checked) and/or a share link id. */
export interface PreviewCredentials {
  session: { userId: string; sessionVersion: number; sessionId?: string | null } | null;
  linkId: string | null;
}

export interface PreviewVerdict {
  decision: Decision;
  devbox?: Devbox;
  team?: Team;
  port: number;
  level?: PreviewLevel;
  viewer: Viewer;
  link: LinkState;
}

/**
 * The authorization of every preview request and websocket (and of their re-checks): resolves
 * the address, reads the port's level in force (capped by team and instance), the viewer's
 * current role (a revoked session, signed out or out everywhere, counts as nobody) and the link's state — one statement,
 * lib/preview/access-query.ts, whose answer is kept until anything in it changes
 * (lib/preview/access-cache.ts) — then applies the one rule in lib/preview/levels.ts. An
 * undeclared port or an unknown devbox is "not found" for a signed-in user and "sign in" for
 * nobody (existence is not revealed before sign-in).
 */
export async function authorizePreview(db: Database, target: PreviewTarget, creds: PreviewCredentials, now = new Date()): Promise<PreviewVerdict> {
  const f = await previewAccessCache(db).facts(target, creds.session?.userId ?? null, creds.linkId, creds.session?.sessionId ?? null);
  const port = target.port;
  let viewer: Viewer = null;
  if (creds.session) {
    if (!f) viewer = { userId: creds.session.userId, role: null };
    else if (f.viewer && f.viewer.sessionVersion === creds.session.sessionVersion && !f.viewer.signedOut) viewer = { userId: creds.session.userId, role: f.viewer.role };
  }
  if (!f || !f.devbox.ports.some((p) => p.port === port)) return { decision: viewer ? "not_found" : "signin", port, viewer, link: "none" };
  const level = effectiveLevel(f.stored, f.teamMax, f.instanceMax);
  let link: LinkState = "none";
  // A link for another port or devbox is no link here.
  if (level === "link" && f.link && f.link.devboxId === f.devbox.id && f.link.port === port)
    link = f.link.revokedAt ? "revoked" : !f.link.creatorMayShare ? "creator_gone" : f.link.expiresAt > now ? "valid" : "expired";
  return { decision: decide(level, viewer, f.devbox.createdBy, link), devbox: f.devbox, team: f.team, port, level, viewer, link };
}
