import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { SnapshotHelp } from "@/components/snapshots/snapshot-help";
import { SnapshotHistory } from "@/components/snapshots/snapshot-history";
import { Card } from "@/components/ui/card";
import { teamForPage } from "@/lib/authz/page-access";
import { findDevbox, listTeamDevboxes } from "@/lib/devboxes/queries";
import { devboxView } from "@/lib/devboxes/view";
import { formatBytes } from "@/lib/snapshots/format";
import { keepSnapshots, listSnapshotsWithActors, maxOwnLayers } from "@/lib/snapshots/service";
import { snapshotStorage } from "@/lib/snapshots/storage";
import { snapshotView } from "@/lib/snapshots/view";
import { roleAtLeast } from "@/lib/teams/roles";

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  return { title: `Snapshots · ${(await params).name}` };
}

export default async function SnapshotsPage({ params }: { params: Promise<{ team: string; name: string }> }) {
  const { team: slug, name } = await params;
  const { team } = await teamForPage(slug);
  const db = await getDb();
  const devbox = await findDevbox(db, team.id, name);
  if (!devbox || devbox.desiredState === "deleted") notFound();
  const [rows, teamDevboxes] = await Promise.all([listSnapshotsWithActors(db, devbox.id), listTeamDevboxes(db, team.id)]);
  const storage = await snapshotStorage(db, teamDevboxes).catch(() => null);
  const view = devboxView(devbox);
  return (
    <div className="space-y-6">
      <div>
        <Link href={`/t/${team.slug}/devboxes/${devbox.name}`} className="text-sm text-indigo-600 hover:underline">← {devbox.name}</Link>
        <h2 className="mt-1 text-xl font-semibold">Snapshots</h2>
        <p className="mt-1 text-sm text-zinc-500">
          Every stop, commit, restart and update saves the devbox&apos;s files as a snapshot. The newest {keepSnapshots()} (and pinned ones) are kept;
          layers are merged when there are more than {maxOwnLayers()}.
        </p>
      </div>
      <SnapshotHelp keep={keepSnapshots()} maxLayers={maxOwnLayers()} />
      <dl className="grid gap-4 sm:grid-cols-3 [&>*]:min-w-0" data-testid="snapshot-storage">
        <Card><dt className="text-xs text-zinc-500">This devbox</dt><dd className="text-lg font-semibold" data-testid="storage-devbox">{storage ? formatBytes(storage.perDevbox.get(devbox.id) ?? 0) : "—"}</dd></Card>
        <Card><dt className="text-xs text-zinc-500">The team ({teamDevboxes.length} devboxes)</dt><dd className="text-lg font-semibold" data-testid="storage-team">{storage ? formatBytes(storage.total) : "—"}</dd></Card>
        <Card><dt className="text-xs text-zinc-500">Starts from</dt><dd className="break-all font-mono text-xs" title={devbox.image}>{devbox.image}</dd></Card>
      </dl>
      <SnapshotHistory
        teamSlug={team.slug}
        devboxName={devbox.name}
        currentImage={devbox.image}
        stopped={view.status.state === "Stopped"}
        canEdit={roleAtLeast(team.role, "developer")}
        snapshots={rows.map((r) => snapshotView(r.snapshot, r.actorEmail))}
      />
    </div>
  );
}
