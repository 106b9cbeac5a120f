"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { recordAudit } from "@/lib/audit/record";
import { requireUser } from "@/lib/auth/session";
import { requireInstanceAdmin } from "@/lib/authz/team-access";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { setMaxTeamsPerUser, setSignupOpen } from "@/lib/settings/instance";
import { AppError } from "@/lib/errors";
import { parsePortList, validatePorts } from "@/lib/devboxes/spec-input";
import { addTemplate } from "@/lib/templates/queries";

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

export async function addTemplateAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    requireInstanceAdmin(user);
    const db = await getDb();
    const t = await addTemplate(db, {
      name: String(form.get("name") ?? "").trim(),
      displayName: String(form.get("displayName") ?? "").trim(),
      description: String(form.get("description") ?? "").trim(),
      image: String(form.get("image") ?? "").trim(),
      ports: validatePorts(parsePortList(String(form.get("ports") ?? ""))),
    });
    await recordAudit(db, { actorId: user.id, action: "template.add", target: t.name, details: { image: t.image } });
    revalidatePath("/admin");
    return undefined;
  });
}

export async function setTeamLimitAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    requireInstanceAdmin(user);
    const n = Number(form.get("maxTeams"));
    if (!Number.isInteger(n) || n < 0 || n > 1000)
      throw new AppError("bad_request", "Enter a whole number from 0 to 1000.", { field: "maxTeams" });
    const db = await getDb();
    await setMaxTeamsPerUser(db, n);
    await recordAudit(db, { actorId: user.id, action: "instance.team_limit", details: { maxTeams: n } });
    revalidatePath("/admin");
    return undefined;
  });
}
