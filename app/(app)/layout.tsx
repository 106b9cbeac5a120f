import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { AppShell } from "@/components/shell/app-shell";
import { currentUser } from "@/lib/auth/session";
import { clusterHealth } from "@/lib/k8s/health";
import { withoutInfrastructure } from "@/lib/k8s/scrub";
import { listTeamsForUser } from "@/lib/teams/queries";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  if (!user) redirect("/login");
  const [teams, health] = await Promise.all([listTeamsForUser(await getDb(), user.id), clusterHealth()]);
  return (
    <AppShell
      user={{ name: user.name, email: user.email, isInstanceAdmin: user.isInstanceAdmin }}
      teams={teams.map((t) => ({ slug: t.slug, displayName: t.displayName, role: t.role, personal: t.personal }))}
      // The raw error names the apiserver's address: only operators (instance admins) read it whole.
      clusterProblem={health.reachable ? null : user.isInstanceAdmin ? (health.error ?? "unreachable") : withoutInfrastructure(health.error ?? "unreachable")}
    >
      {children}
    </AppShell>
  );
}
