"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { recordAudit } from "@/lib/audit/record";
import { requireUser } from "@/lib/auth/session";
import { requireInstanceAdmin } from "@/lib/authz/team-access";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { setSignupOpen } from "@/lib/settings/instance";

export async function setSignupOpenAction(open: boolean): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    requireInstanceAdmin(user);
    const db = await getDb();
    await setSignupOpen(db, open);
    await recordAudit(db, { actorId: user.id, action: open ? "instance.signup.open" : "instance.signup.close" });
    revalidatePath("/admin");
    return undefined;
  });
}
