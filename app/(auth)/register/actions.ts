"use server";

import { getDb } from "@/db/client";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { registerUser } from "@/lib/users/register";

export async function registerAction(_prev: ActionResult<{ email: string }> | null, form: FormData): Promise<ActionResult<{ email: string }>> {
  return runAction(async () => {
    const user = await registerUser(await getDb(), {
      email: String(form.get("email") ?? ""),
      name: String(form.get("name") ?? ""),
      password: String(form.get("password") ?? ""),
    });
    return { email: user.email };
  });
}
