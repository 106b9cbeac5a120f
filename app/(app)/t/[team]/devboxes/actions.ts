"use server";

import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { requireTeamRole } from "@/lib/authz/team-access";
import { createDevbox, deleteDevbox, restartDevbox, startDevbox, stopDevbox, updateDevbox } from "@/lib/devboxes/service";
import { parseEnvLines, parsePortList } from "@/lib/devboxes/spec-input";
import { runAction, type ActionResult } from "@/lib/http/action-result";

const num = (form: FormData, key: string) => {
  const v = form.get(key);
  return v === null || v === "" ? undefined : Number(v);
};
const gib = (form: FormData, key: string) => {
  const v = num(form, key);
  return v === undefined ? undefined : Math.round(v * 1024);
};
const cores = (form: FormData, key: string) => {
  const v = num(form, key);
  return v === undefined ? undefined : Math.round(v * 1000);
};

export async function createDevboxAction(slug: string, _prev: ActionResult<{ name: string }> | null, form: FormData): Promise<ActionResult<{ name: string }>> {
  const result = await runAction(async () => {
    const user = await requireUser();
    const team = await requireTeamRole(user, slug, "developer");
    const d = await createDevbox(await getDb(), team, user.id, {
      name: String(form.get("name") ?? ""),
      templateId: String(form.get("templateId") ?? ""),
      cpuMillis: cores(form, "cpu"),
      memoryMiB: gib(form, "memory"),
      diskMiB: gib(form, "disk"),
      env: parseEnvLines(String(form.get("env") ?? "")),
      ports: form.get("ports") === null ? undefined : parsePortList(String(form.get("ports"))),
    });
    return { name: d.name };
  });
  if (result.ok) redirect(`/t/${slug}/devboxes/${result.data.name}`);
  return result;
}

export async function updateDevboxAction(slug: string, name: string, _prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(async () => {
    const user = await requireUser();
    const { team } = await requireDevboxRole(user, slug, name, "developer");
    await updateDevbox(await getDb(), team, user.id, name, {
      cpuMillis: cores(form, "cpu"),
      memoryMiB: gib(form, "memory"),
      diskMiB: gib(form, "disk"),
      env: parseEnvLines(String(form.get("env") ?? "")),
      ports: parsePortList(String(form.get("ports") ?? "")),
      seenGeneration: num(form, "podGeneration"),
    });
    return undefined;
  });
  if (result.ok) redirect(`/t/${slug}/devboxes/${name}`);
  return result;
}

export type LifecycleAction = "start" | "stop" | "restart" | "delete";

/** The buttons on the list and detail pages. `seenGeneration` makes a double-clicked restart count once. */
export async function devboxLifecycleAction(slug: string, name: string, action: LifecycleAction, seenGeneration?: number): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    const { team } = await requireDevboxRole(user, slug, name, "developer");
    const db = await getDb();
    if (action === "start") await startDevbox(db, team, user.id, name);
    else if (action === "stop") await stopDevbox(db, team, user.id, name);
    else if (action === "restart") await restartDevbox(db, team, user.id, name, seenGeneration);
    else await deleteDevbox(db, team, user.id, name);
    return undefined;
  });
}
