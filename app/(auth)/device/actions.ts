"use server";

import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireNoToken } from "@/lib/authz/token-scope";
import { decideDeviceLogin } from "@/lib/device-login/service";
import { runAction, type ActionResult } from "@/lib/http/action-result";

/** Approve or refuse a `devbox login` request by its user code. A person at a browser only. */
export async function decideDeviceLoginAction(userCode: string, approve: boolean): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    requireNoToken(user, "Approving a login");
    await decideDeviceLogin(await getDb(), user, String(userCode), approve ? "approved" : "denied");
    return undefined;
  });
}
