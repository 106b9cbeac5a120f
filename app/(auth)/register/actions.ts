"use server";

import { headers } from "next/headers";
import { getDb } from "@/db/client";
import { enforceLimits, signUpLimits, waitText } from "@/lib/abuse/rate-limit";
import { clientIpOf } from "@/lib/http/client-ip";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { registerUser } from "@/lib/users/register";

export async function registerAction(_prev: ActionResult<{ email: string }> | null, form: FormData): Promise<ActionResult<{ email: string }>> {
  return runAction(async () => {
    const db = await getDb();
    const email = String(form.get("email") ?? "");
    const limits = signUpLimits();
    await enforceLimits(
      db,
      [
        [limits.ip, clientIpOf(await headers())],
        [limits.account, email.trim().toLowerCase().slice(0, 320)],
      ],
      (s) => `Too many sign-ups from here. Try again in ${waitText(s)}.`,
    );
    const user = await registerUser(db, { email, name: String(form.get("name") ?? ""), password: String(form.get("password") ?? "") });
    return { email: user.email };
  });
}
