"use server";

import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireDevboxRole } from "@/lib/authz/devbox-access";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { formatBytes } from "@/lib/snapshots/format";
import { commitDevbox, forceStopDevbox, forkFromSnapshot, startFromSnapshot } from "@/lib/snapshots/requests";

/** The Commit button: saves the running container now. */
export async function commitDevboxAction(slug: string, name: string): Promise<ActionResult<{ message: string }>> {
  return runAction(async () => {
    const user = await requireUser();
    const { team } = await requireDevboxRole(user, slug, name, "developer");
    const snap = await commitDevbox(await getDb(), team, user.id, name);
    return { message: `Saved (${formatBytes(snap.bytesAdded)} in ${(snap.durationMs / 1000).toFixed(1)} s).` };
  });
}

/** Stop without saving, after the user confirmed that the unsaved changes are lost. */
export async function forceStopDevboxAction(slug: string, name: string): Promise<ActionResult> {
  return runAction(async () => {
    const user = await requireUser();
    const { team } = await requireDevboxRole(user, slug, name, "developer");
    await forceStopDevbox(await getDb(), team, user.id, name);
    return undefined;
  });
}

export async function startFromSnapshotAction(slug: string, name: string, snapshotId: string): Promise<ActionResult> {
  const result = await runAction(async () => {
    const user = await requireUser();
    const { team } = await requireDevboxRole(user, slug, name, "developer");
    await startFromSnapshot(await getDb(), team, user.id, name, snapshotId);
    return undefined;
  });
  if (result.ok) redirect(`/t/${slug}/devboxes/${name}`);
  return result;
}

export async function forkSnapshotAction(slug: string, name: string, snapshotId: string, _prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(async () => {
    const user = await requireUser();
    const { team } = await requireDevboxRole(user, slug, name, "developer");
    const fork = await forkFromSnapshot(await getDb(), team, user.id, name, snapshotId, String(form.get("name") ?? ""));
    return fork.name;
  });
  if (result.ok) redirect(`/t/${slug}/devboxes/${result.data}`);
  return result.ok ? { ok: true, data: undefined } : result;
}
