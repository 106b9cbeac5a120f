"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { addTemplateByAdmin, changeSignup, changeTeamLimit } from "@/lib/admin/service";
import { requireUser } from "@/lib/auth/session";
import { requireInstanceAdmin } from "@/lib/authz/team-access";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { parsePortList } from "@/lib/devboxes/spec-input";

export async function setSignupOpenAction(open: boolean): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    requireInstanceAdmin(user);
    await changeSignup(await getDb(), user.id, open);
    revalidatePath("/admin");
    return undefined;
  });
}

export async function addTemplateAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    requireInstanceAdmin(user);
    await addTemplateByAdmin(await getDb(), user.id, {
      name: String(form.get("name") ?? "").trim(),
      displayName: String(form.get("displayName") ?? "").trim(),
      description: String(form.get("description") ?? "").trim(),
      image: String(form.get("image") ?? "").trim(),
      ports: parsePortList(String(form.get("ports") ?? "")),
    });
    revalidatePath("/admin");
    return undefined;
  });
}

export async function setTeamLimitAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    requireInstanceAdmin(user);
    await changeTeamLimit(await getDb(), user.id, Number(form.get("maxTeams")));
    revalidatePath("/admin");
    return undefined;
  });
}
