import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/session";
import { requireTokenScope } from "@/lib/authz/token-scope";
import { route } from "@/lib/http/route";
import { kubeConfig } from "@/lib/k8s/config";
import { listSshHosts } from "@/lib/ssh/hosts";

/**
 * The devboxes the caller may SSH into, with their published host keys: what `devbox
 * config-ssh` writes (Host blocks and known_hosts). Per-team authorization is inside
 * listSshHosts (developer role; a token's devboxes:ssh scope and restrictions).
 */
export const GET = route(async () => {
  const user = await requireUser();
  requireTokenScope(user, "devboxes:ssh");
  return Response.json({ items: await listSshHosts(kubeConfig(), await getDb(), user) });
});
