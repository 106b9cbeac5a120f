import { teamForPage } from "@/lib/authz/page-access";
import { TeamTabs } from "@/components/shell/team-tabs";

export default async function TeamLayout({ children, params }: { children: React.ReactNode; params: Promise<{ team: string }> }) {
  const { team } = await teamForPage((await params).team);
  return (
    <div>
      <div className="mb-6">
        <h1 className="text-2xl font-semibold tracking-tight" data-testid="team-title">{team.displayName}</h1>
        <p className="mt-1 text-sm text-zinc-500">
          Namespace <code className="font-mono">{team.namespace}</code> · your role: {team.role}
        </p>
      </div>
      <TeamTabs slug={team.slug} />
      <div className="mt-6">{children}</div>
    </div>
  );
}
