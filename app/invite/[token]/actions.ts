"use server";

import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { acceptInvite } from "@/lib/invites/service";

/** Joins the signed-in user to the team of the invite `token` names (authorized by the token itself). */
export async function acceptInviteAction(token: string): Promise<ActionResult<{ team: string }>> {
  return runAction(async () => {
    const user = await requireUser();
    const team = await acceptInvite(await getDb(), user, String(token));
    return { team: team.slug };
  });
}
