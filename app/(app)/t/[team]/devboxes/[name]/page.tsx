import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { DevboxDetail } from "@/components/devboxes/devbox-detail";
import { EventsList } from "@/components/devboxes/events-list";
import { OperationsList } from "@/components/devboxes/operations-list";
import { SshAccess } from "@/components/devboxes/ssh-access";
import { Card } from "@/components/ui/card";
import { PreviewPortsCard } from "@/components/preview/preview-ports-card";
import { IdlePanel } from "@/components/idle/idle-panel";
import { DevboxUsage, UsageWarnings } from "@/components/usage/devbox-usage";
import { devboxUsageWarnings } from "@/lib/usage/service";
import { devboxIdleState, idleView } from "@/lib/idle/service";
import { teamForPage } from "@/lib/authz/page-access";
import { devboxFacts } from "@/lib/devboxes/facts";
import { devboxEvents } from "@/lib/devboxes/k8s-events";
import { findDevbox, pendingOperations, recentOperations } from "@/lib/devboxes/queries";
import { devboxView } from "@/lib/devboxes/view";
import { roleAtLeast } from "@/lib/teams/roles";

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  return { title: (await params).name };
}

export default async function DevboxPage({ params }: { params: Promise<{ team: string; name: string }> }) {
  const { team: slug, name } = await params;
  const { team } = await teamForPage(slug);
  const db = await getDb();
  const devbox = await findDevbox(db, team.id, name);
  if (!devbox) notFound();
  const [pending, ops, events, facts, idle, usageWarnings] = await Promise.all([
    pendingOperations(db, [devbox.id]),
    recentOperations(db, devbox.id),
    devboxEvents(team.namespace, devbox),
    devboxFacts(db, [devbox.id]),
    devboxIdleState(db, devbox.id),
    devboxUsageWarnings(db, devbox),
  ]);
  return (
    <div className="space-y-6">
      <UsageWarnings team={team.slug} devbox={devbox.name} initial={usageWarnings} />
      <DevboxDetail teamSlug={team.slug} initial={devboxView(devbox, pending.get(devbox.id))} canEdit={roleAtLeast(team.role, "developer")} facts={facts[devbox.id]} />
      <IdlePanel team={team.slug} devbox={devbox.name} initial={idleView(idle)} canEdit={roleAtLeast(team.role, "developer")} />
      {roleAtLeast(team.role, "developer") && <SshAccess team={team.slug} devbox={devbox.name} user={devbox.user} workingDir={devbox.workingDir} />}
      <Link href={`/t/${team.slug}/devboxes/${devbox.name}/releases`} className="text-sm text-indigo-600 hover:underline" data-testid="releases-link">Releases: versioned images, deployed as apps →</Link>
      {devbox.ports.length > 0 && <PreviewPortsCard team={team.slug} devbox={devbox.name} canEdit={roleAtLeast(team.role, "developer")} />}
      <DevboxUsage team={team.slug} devbox={devbox.name} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Recent operations">
          <OperationsList ops={ops} />
        </Card>
        <Card title="Kubernetes events" description="Of the current container.">
          <EventsList events={events} />
        </Card>
      </div>
    </div>
  );
}
