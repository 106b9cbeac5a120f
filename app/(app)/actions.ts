"use server";

import { getDb } from "@/db/client";
import { recordAudit } from "@/lib/audit/record";
import { requireUser } from "@/lib/auth/session";
import { revokeAllSessions } from "@/lib/auth/session-version";
import { runAction, type ActionResult } from "@/lib/http/action-result";

/** Signs the user out on every device: all session tokens issued so far stop working. */
export async function signOutEverywhereAction(): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    const db = await getDb();
    await revokeAllSessions(db, user.id);
    await recordAudit(db, { actorId: user.id, teamId: null, action: "user.sign_out_everywhere", target: user.email });
    return undefined;
  });
}
