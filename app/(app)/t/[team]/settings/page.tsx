import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { teamForPage } from "@/lib/authz/page-access";
import { teamQuotaDefaults } from "@/lib/k8s/quota-defaults";
import { PreviewMaxLevel } from "@/components/preview/preview-max-level";
import { roleAtLeast } from "@/lib/teams/roles";
import { DeleteTeamForm } from "./delete-team-form";

export const metadata: Metadata = { title: "Team settings" };

export default async function TeamSettingsPage({ params }: { params: Promise<{ team: string }> }) {
  const { team } = await teamForPage((await params).team);
  const quota = teamQuotaDefaults().hard;
  return (
    <div className="space-y-6">
      <Card title="Quota" description="Set by the operator for every team namespace.">
        <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-4">
          <dt className="text-zinc-500">CPU</dt><dd>{quota["limits.cpu"]}</dd>
          <dt className="text-zinc-500">Memory</dt><dd>{quota["limits.memory"]}</dd>
          <dt className="text-zinc-500">Disk</dt><dd>{quota["limits.ephemeral-storage"]}</dd>
          <dt className="text-zinc-500">Pods</dt><dd>{quota.pods}</dd>
        </dl>
      </Card>
      <PreviewMaxLevel team={team.slug} canEdit={roleAtLeast(team.role, "admin")} />
      {team.role === "owner" && !team.personal && (
        <Card title="Delete this team" description="Deletes the namespace and everything running in it. This cannot be undone.">
          <DeleteTeamForm slug={team.slug} />
        </Card>
      )}
    </div>
  );
}
