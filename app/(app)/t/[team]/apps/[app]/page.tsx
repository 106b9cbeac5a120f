import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { devboxes } from "@/db/schema/devboxes";
import { releases } from "@/db/schema/releases";
import { AppDetail } from "@/components/apps/app-detail";
import { appEvents } from "@/lib/apps/events";
import { appViews } from "@/lib/apps/queries";
import { findApp } from "@/lib/apps/service";
import { teamForPage } from "@/lib/authz/page-access";
import { roleAtLeast } from "@/lib/teams/roles";

export async function generateMetadata({ params }: { params: Promise<{ app: string }> }): Promise<Metadata> {
  return { title: `App · ${(await params).app}` };
}

export default async function AppPage({ params }: { params: Promise<{ team: string; app: string }> }) {
  const { team: slug, app: name } = await params;
  const { team } = await teamForPage(slug);
  const db = await getDb();
  const a = await findApp(db, team.id, name);
  if (!a) notFound();
  const [[view], events, ready] = await Promise.all([
    appViews(db, [a]),
    appEvents(team.namespace, a),
    db.select({ tag: releases.tag, devbox: devboxes.name }).from(releases).innerJoin(devboxes, eq(devboxes.id, releases.devboxId)).where(and(eq(releases.teamId, team.id), eq(releases.status, "ready"))),
  ]);
  return (
    <div className="space-y-6">
      <Link href={`/t/${team.slug}/apps`} className="text-sm text-indigo-600 hover:underline">← Apps</Link>
      <AppDetail teamSlug={team.slug} initial={view} events={events} canEdit={roleAtLeast(team.role, "developer")} releaseTags={ready.map((r) => `${r.devbox}\u0000${r.tag}`)} />
    </div>
  );
}
