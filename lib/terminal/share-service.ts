import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import type { Devbox } from "@/db/schema/devboxes";
import { memberships } from "@/db/schema/memberships";
import { users, type User } from "@/db/schema/users";
import { recordAudit } from "@/lib/audit/record";
import { AppError, notFound } from "@/lib/errors";
import type { TeamWithRole } from "@/lib/teams/queries";
import { roleAtLeast } from "@/lib/teams/roles";
import { TerminalRegistry, terminalRegistry } from "./registry";
import type { CreateTerminalShareBody, TerminalShareView } from "./schemas";
import { terminalShares, type TerminalShare } from "./shares";

const view = (team: string, devbox: string, s: TerminalShare): TerminalShareView => ({
  id: s.id,
  sessionId: s.sessionId,
  guest: s.guestEmail,
  mode: s.mode,
  createdAt: s.createdAt.toISOString(),
  url: `/t/${team}/devboxes/${devbox}/shared-terminal/${s.id}`,
});

/** Shares one of the user's own live terminal sessions with a teammate (developer for read-write). */
export async function shareTerminal(db: Database, user: User, team: TeamWithRole, devbox: Devbox, body: CreateTerminalShareBody): Promise<TerminalShareView> {
  const session = terminalRegistry().get(TerminalRegistry.key(user.id, devbox.id, body.sessionId));
  if (!session) throw notFound("Terminal session");
  const [guest] = await db
    .select({ id: users.id, email: users.email, role: memberships.role })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.teamId, team.id)))
    .where(eq(users.email, body.email.toLowerCase()))
    .limit(1);
  if (!guest) throw new AppError("not_found", "No member of this team has that email.", { field: "email" });
  if (guest.id === user.id) throw new AppError("bad_request", "This is your own terminal.", { field: "email" });
  if (body.mode === "write" && !roleAtLeast(guest.role, "developer")) throw new AppError("forbidden", `${guest.email} is a ${guest.role}: only developers can type in a terminal. Share it read-only.`, { field: "mode" });
  const share = terminalShares().create(session, { ownerId: user.id, guestId: guest.id, guestEmail: guest.email, mode: body.mode, devboxId: devbox.id, teamId: team.id });
  await recordAudit(db, { actorId: user.id, teamId: team.id, action: "terminal.share.granted", target: devbox.name, details: { devboxId: devbox.id, shareId: share.id, guest: guest.email, mode: body.mode } });
  return view(team.slug, devbox.name, share);
}

export function listTerminalShares(user: User, team: TeamWithRole, devbox: Devbox): TerminalShareView[] {
  return terminalShares().listForOwner(user.id, devbox.id).map((s) => view(team.slug, devbox.name, s));
}

/** The owner ends a share: the guest's view closes at once. */
export async function revokeTerminalShare(db: Database, user: User, team: TeamWithRole, devbox: Devbox, id: string): Promise<void> {
  const found = terminalShares().get(id);
  if (!found || found.share.ownerId !== user.id || found.share.devboxId !== devbox.id) throw notFound("Terminal share");
  terminalShares().revoke(id);
  await recordAudit(db, { actorId: user.id, teamId: team.id, action: "terminal.share.revoked", target: devbox.name, details: { devboxId: devbox.id, shareId: id, guest: found.share.guestEmail } });
}
