import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { AppList } from "@/components/apps/app-list";
import { Card } from "@/components/ui/card";
import { appViews } from "@/lib/apps/queries";
import { listApps } from "@/lib/apps/service";
import { teamForPage } from "@/lib/authz/page-access";

export const metadata: Metadata = { title: "Apps" };

export default async function AppsPage({ params }: { params: Promise<{ team: string }> }) {
  const { team } = await teamForPage((await params).team);
  const db = await getDb();
  const views = await appViews(db, await listApps(db, team.id)).catch(() => []);
  return (
    <Card title="Apps" description="Releases running as services in this team (Deployment + Service). Deploy from a devbox's Releases page.">
      <AppList teamSlug={team.slug} initial={views} />
    </Card>
  );
}
