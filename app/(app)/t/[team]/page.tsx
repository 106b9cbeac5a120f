import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { DevboxList } from "@/components/devboxes/devbox-list";
import { teamForPage } from "@/lib/authz/page-access";
import { listTeamDevboxes, pendingOperations } from "@/lib/devboxes/queries";
import { devboxView } from "@/lib/devboxes/view";
import { roleAtLeast } from "@/lib/teams/roles";

export const metadata: Metadata = { title: "Devboxes" };

export default async function DevboxesPage({ params }: { params: Promise<{ team: string }> }) {
  const { team } = await teamForPage((await params).team);
  const db = await getDb();
  // DB plus the in-process Pod cache: no Kubernetes request, however many devboxes.
  const all = await listTeamDevboxes(db, team.id);
  const pending = await pendingOperations(db, all.map((d) => d.id));
  return <DevboxList teamSlug={team.slug} initial={all.map((d) => devboxView(d, pending.get(d.id)))} canEdit={roleAtLeast(team.role, "developer")} />;
}
