import type { Database } from "@/db/client";
import type { Devbox } from "@/db/schema/devboxes";
import type { PreviewLevel } from "@/db/schema/preview-ports";
import type { Team } from "@/db/schema/teams";
import type { PreviewTarget } from "@/lib/preview/host";
import { decide, effectiveLevel, type Decision, type LinkState, type Viewer } from "@/lib/preview/levels";
import { linkState, portLevels, resolveTarget, viewerRole } from "@/lib/preview/queries";

/** Who presents themselves at a preview URL: a user session (already signature-checked) and/or a share link id. */
export interface PreviewCredentials {
  session: { userId: string; sessionVersion: number } | null;
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
 * current role (a revoked session counts as nobody) and the link's state, then applies the one
 * rule in lib/preview/levels.ts. An undeclared port or an unknown devbox is "not found" for a
 * signed-in user and "sign in" for nobody (existence is not revealed before sign-in).
 */
export async function authorizePreview(db: Database, target: PreviewTarget, creds: PreviewCredentials): Promise<PreviewVerdict> {
  const found = await resolveTarget(db, target);
  const port = target.port;
  let viewer: Viewer = null;
  if (creds.session && found) {
    const role = await viewerRole(db, creds.session.userId, creds.session.sessionVersion, found.team.id);
    if (role !== undefined) viewer = { userId: creds.session.userId, role };
  } else if (creds.session) viewer = { userId: creds.session.userId, role: null };
  if (!found || !found.devbox.ports.some((p) => p.port === port)) {
    return { decision: viewer ? "not_found" : "signin", port, viewer, link: "none" };
  }
  const { devbox, team } = found;
  const l = await portLevels(db, devbox.id, team.id, port);
  const level = effectiveLevel(l.stored, l.teamMax, l.instanceMax);
  const link = level === "link" ? await linkState(db, creds.linkId, devbox.id, port) : "none";
  return { decision: decide(level, viewer, devbox.createdBy, link), devbox, team, port, level, viewer, link };
}
