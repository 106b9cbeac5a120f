import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { DevboxList } from "@/components/devboxes/devbox-list";
import { teamForPage } from "@/lib/authz/page-access";
import { devboxFacts } from "@/lib/devboxes/facts";
import { loadTeamDevboxViews } from "@/lib/devboxes/view";
import { roleAtLeast } from "@/lib/teams/roles";

export const metadata: Metadata = { title: "Devboxes" };

export default async function DevboxesPage({ params }: { params: Promise<{ team: string }> }) {
  const { team } = await teamForPage((await params).team);
  // DB plus the in-process Pod cache: no Kubernetes request, however many devboxes.
  const db = await getDb();
  const views = await loadTeamDevboxViews(db, team.id);
  const facts = await devboxFacts(db, views.map((v) => v.id));
  return <DevboxList teamSlug={team.slug} initial={views} facts={facts} canEdit={roleAtLeast(team.role, "developer")} />;
}
