import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { Database } from "@/db/client";
import type { Actor } from "@/lib/authz/team-access";
import { requireTokenAllows, tokenAllowsDevbox } from "@/lib/authz/token-scope";
import { secretName } from "@/lib/devboxes/k8s-objects";
import { listTeamDevboxes } from "@/lib/devboxes/queries";
import { listTeamsForUser } from "@/lib/teams/queries";
import { roleAtLeast } from "@/lib/teams/roles";
import { sshHostAlias } from "./protocol";

export interface SshHost {
  /** The Host alias config-ssh writes: `<devbox>.<team>`. */
  host: string;
  team: string;
  devbox: string;
  /** The login user and where an editor should open. */
  user: string;
  workingDir: string;
  /** The devbox's published host keys ("ssh-ed25519 AAAA…"); empty until its first start made them. */
  hostKeys: string[];
}

/**
 * Every devbox the caller may SSH into (developer role; for a token, the devboxes:ssh scope and
 * its restrictions), with its host key read from its Secret: what `devbox config-ssh` writes
 * into known_hosts, so host key checking stays on. Only public keys leave this function.
 */
export async function listSshHosts(kc: KubeConfig, db: Database, user: Actor): Promise<SshHost[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const out: SshHost[] = [];
  for (const team of await listTeamsForUser(db, user.id)) {
    if (!roleAtLeast(team.role, "developer")) continue;
    try {
      requireTokenAllows(user, { teamId: team.id, minimum: "developer", scope: "devboxes:ssh" });
    } catch {
      continue;
    }
    const boxes = (await listTeamDevboxes(db, team.id)).filter((d) => d.desiredState !== "deleted" && tokenAllowsDevbox(user, d.name));
    // One GET per devbox's Secret (the dashboard may not LIST Secrets), side by side.
    const secrets = await Promise.all(boxes.map((d) => core.readNamespacedSecret({ name: secretName(d), namespace: team.namespace }).catch(() => undefined)));
    boxes.forEach((d, i) => {
      const pub = Buffer.from(secrets[i]?.data?.["ssh_host_ed25519_key.pub"] ?? "", "base64").toString("utf8").trim().split(/\s+/).slice(0, 2).join(" ");
      out.push({ host: sshHostAlias(team.slug, d.name), team: team.slug, devbox: d.name, user: d.user, workingDir: d.workingDir, hostKeys: pub ? [pub] : [] });
    });
  }
  return out;
}
