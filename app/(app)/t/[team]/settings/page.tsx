import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { teamForPage } from "@/lib/authz/page-access";
import { teamQuotaDefaults } from "@/lib/k8s/quota-defaults";
import { formatBytes } from "@/lib/snapshots/format";
import { teamSnapshotQuotaBytes } from "@/lib/snapshots/quota";
import { PreviewMaxLevel } from "@/components/preview/preview-max-level";
import { TeamAutoStop } from "@/components/idle/team-auto-stop";
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
          <dt className="text-zinc-500">Running devboxes</dt><dd>{quota.pods}</dd>
          <dt className="text-zinc-500">Snapshot storage</dt><dd>{formatBytes(teamSnapshotQuotaBytes())}</dd>
        </dl>
        <div className="mt-4 space-y-2 border-t border-zinc-200 pt-3 text-sm text-zinc-600 dark:border-zinc-800 dark:text-zinc-400" data-testid="quota-help">
          <p>
            The quota is for the whole team: the CPU, memory and disk of its <b>running</b> devboxes add up, and each counts what it was
            given (its size), not what it uses at the moment. A stopped devbox counts nothing, so stopping one frees room for another.
          </p>
          <p>
            When a start or a new devbox would go over, it is refused, saying how much was asked and how much is free; stop a devbox or make one smaller, or
            ask the operator for more. Snapshot storage counts the team&apos;s saved snapshots: over it, Commit is refused, but stopping still saves.
          </p>
        </div>
      </Card>
      <PreviewMaxLevel team={team.slug} canEdit={roleAtLeast(team.role, "admin")} />
      <TeamAutoStop team={team.slug} canEdit={roleAtLeast(team.role, "admin")} />
      {team.role === "owner" && !team.personal && (
        <Card title="Delete this team" description="Deletes the namespace and everything running in it. This cannot be undone.">
          <DeleteTeamForm slug={team.slug} />
        </Card>
      )}
    </div>
  );
}
