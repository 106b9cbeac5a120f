import type { Database } from "@/db/client";
import type { PortSpec } from "@/db/schema/templates";
import { recordAudit } from "@/lib/audit/record";
import { validatePorts } from "@/lib/devboxes/spec-input";
import { AppError } from "@/lib/errors";
import { isSignupOpen, maxTeamsPerUser, setMaxTeamsPerUser, setSignupOpen } from "@/lib/settings/instance";
import { addTemplate } from "@/lib/templates/queries";

/** Instance administration, shared by the admin page's actions and the REST API (callers check requireInstanceAdmin). */

export async function instanceSettings(db: Database): Promise<{ signupOpen: boolean; maxTeamsPerUser: number }> {
  return { signupOpen: await isSignupOpen(db), maxTeamsPerUser: await maxTeamsPerUser(db) };
}

export async function changeSignup(db: Database, actorId: string, open: boolean): Promise<void> {
  await setSignupOpen(db, open);
  await recordAudit(db, { actorId, action: open ? "instance.signup.open" : "instance.signup.close" });
}

export async function changeTeamLimit(db: Database, actorId: string, n: number): Promise<void> {
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new AppError("bad_request", "Enter a whole number from 0 to 1000.", { field: "maxTeams" });
  await setMaxTeamsPerUser(db, n);
  await recordAudit(db, { actorId, action: "instance.team_limit", details: { maxTeams: n } });
}

export async function addTemplateByAdmin(db: Database, actorId: string, input: { name: string; displayName: string; description?: string; image: string; ports: PortSpec[]; idleTimeoutMinutes?: number }) {
  const t = await addTemplate(db, { ...input, ports: validatePorts(input.ports) });
  await recordAudit(db, { actorId, action: "template.add", target: t.name, details: { image: t.image } });
  return t;
}
