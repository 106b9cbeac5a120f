"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { createTokenBody } from "@/lib/tokens/schemas";
import { createToken, revokeToken } from "@/lib/tokens/service";

/** Creates a token from the form; the secret comes back once, in this result only. */
export async function createTokenAction(_prev: ActionResult<{ token: string; name: string }> | null, form: FormData): Promise<ActionResult<{ token: string; name: string }>> {
  return runAction(async () => {
    const user = await requireUser();
    const devboxes = String(form.get("devboxes") ?? "")
      .split(/[\s,]+/)
      .filter(Boolean);
    const days = String(form.get("expiresInDays") ?? "").trim();
    const parsed = createTokenBody.safeParse({
      name: String(form.get("name") ?? ""),
      scopes: form.getAll("scopes").map(String),
      ...(days ? { expiresInDays: Number(days) } : {}),
      ...(form.get("team") ? { team: String(form.get("team")) } : {}),
      ...(devboxes.length ? { devboxes } : {}),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError("bad_request", issue.message, issue.path.length ? { field: String(issue.path[0]) } : {});
    }
    const { token, view } = await createToken(await getDb(), user, parsed.data);
    revalidatePath("/settings/tokens");
    return { token, name: view.name };
  });
}

export async function revokeTokenAction(id: string): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    await revokeToken(await getDb(), user.id, id);
    revalidatePath("/settings/tokens");
    return undefined;
  });
}
