"use server";

import { redirect } from "next/navigation";
import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTeamRole } from "@/lib/authz/team-access";
import { AppError } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { isTeamRole } from "@/lib/teams/roles";
import { addMember, deleteTeam, removeMember } from "@/lib/teams/service";

export async function addMemberAction(slug: string, _prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    const team = await requireTeamRole(user, slug, "admin");
    const role = String(form.get("role") ?? "developer");
    if (!isTeamRole(role)) throw new AppError("bad_request", "Unknown role.", { field: "role" });
    await addMember(await getDb(), user.id, team, String(form.get("email") ?? ""), role);
    revalidatePath(`/t/${slug}/members`);
    return undefined;
  });
}

export async function removeMemberAction(slug: string, userId: string): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    const team = await requireTeamRole(user, slug, user.id === userId ? "viewer" : "admin");
    await removeMember(await getDb(), user.id, team, userId);
    revalidatePath(`/t/${slug}/members`);
    return undefined;
  });
}

export async function deleteTeamAction(slug: string, _prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(async () => {
    const user = await requireUser();
    const team = await requireTeamRole(user, slug, "owner");
    if (String(form.get("confirm") ?? "") !== team.slug)
      throw new AppError("bad_request", `Type "${team.slug}" to confirm.`, { field: "confirm" });
    await deleteTeam(await getDb(), user.id, team);
    return undefined;
  });
  if (result.ok) {
    revalidatePath("/", "layout");
    redirect("/");
  }
  return result;
}
