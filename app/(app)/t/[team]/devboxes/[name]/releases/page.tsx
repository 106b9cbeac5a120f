import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { ReleasePanel } from "@/components/releases/release-panel";
import { teamForPage } from "@/lib/authz/page-access";
import { findDevbox } from "@/lib/devboxes/queries";
import { listReleases } from "@/lib/releases/requests";
import { releaseView } from "@/lib/releases/view";
import { roleAtLeast } from "@/lib/teams/roles";

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  return { title: `Releases · ${(await params).name}` };
}

export default async function ReleasesPage({ params }: { params: Promise<{ team: string; name: string }> }) {
  const { team: slug, name } = await params;
  const { team } = await teamForPage(slug);
  const db = await getDb();
  const devbox = await findDevbox(db, team.id, name);
  if (!devbox || devbox.desiredState === "deleted") notFound();
  const rows = await listReleases(db, devbox.id);
  return (
    <div className="space-y-6">
      <div>
        <Link href={`/t/${team.slug}/devboxes/${devbox.name}`} className="text-sm text-indigo-600 hover:underline">← {devbox.name}</Link>
        <h2 className="mt-1 text-xl font-semibold">Releases</h2>
        <p className="mt-1 text-sm text-zinc-500">
          A release is an immutable image of this devbox (its changes merged into one layer on the template), run by its entrypoint. Deploy it as an app; <Link className="text-indigo-600 hover:underline" href={`/t/${team.slug}/apps`}>the team&apos;s apps</Link>.
        </p>
      </div>
      <ReleasePanel teamSlug={team.slug} devboxName={devbox.name} canEdit={roleAtLeast(team.role, "developer")} initial={rows.map((r) => releaseView(r.release, r.createdByEmail, r.apps))} />
    </div>
  );
}
