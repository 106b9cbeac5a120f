"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { addSshKey, deleteSshKey } from "@/lib/ssh/user-keys";

export async function addSshKeyAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    await addSshKey(await getDb(), user.id, { name: String(form.get("name") ?? ""), publicKey: String(form.get("publicKey") ?? "") });
    revalidatePath("/settings/ssh-keys");
    return undefined;
  });
}

export async function deleteSshKeyAction(id: string): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    await deleteSshKey(await getDb(), user.id, id);
    revalidatePath("/settings/ssh-keys");
    return undefined;
  });
}
