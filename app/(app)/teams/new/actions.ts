"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { createTeam } from "@/lib/teams/service";

export async function createTeamAction(_prev: ActionResult<{ slug: string }> | null, form: FormData): Promise<ActionResult<{ slug: string }>> {
  const result = await runAction(async () => {
    const user = await requireUser();
    const team = await createTeam(await getDb(), user.id, {
      slug: String(form.get("slug") ?? ""),
      displayName: String(form.get("displayName") ?? ""),
    });
    return { slug: team.slug };
  });
  if (result.ok) {
    // The shell's team switcher lists teams: refresh the shared layout too.
    revalidatePath("/", "layout");
    redirect(`/t/${result.data.slug}`);
  }
  return result;
}
