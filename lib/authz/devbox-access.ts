import { getDb } from "@/db/client";
import type { Devbox } from "@/db/schema/devboxes";
import type { TeamRole } from "@/db/schema/memberships";
import { findDevbox } from "@/lib/devboxes/queries";
import { notFound } from "@/lib/errors";
import type { TeamWithRole } from "@/lib/teams/queries";
import type { TokenScope } from "@/lib/tokens/scopes";
import { requireTeamRole, type Actor } from "./team-access";

/** Authorizes the user for one devbox: team role first, then the devbox must be in that team. */
export async function requireDevboxRole(
  user: Actor,
  teamSlug: string,
  devboxName: string,
  minimum: TeamRole,
  opts: { scope?: TokenScope } = {},
): Promise<{ team: TeamWithRole; devbox: Devbox }> {
  const team = await requireTeamRole(user, teamSlug, minimum, { ...opts, devboxName });
  const devbox = await findDevbox(await getDb(), team.id, devboxName);
  if (!devbox || devbox.desiredState === "deleted") throw notFound("Devbox");
  return { team, devbox };
}
