import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { LiveTerminalTabs } from "@/components/terminal/live-terminal-tabs";
import { Card } from "@/components/ui/card";
import { teamForPage } from "@/lib/authz/page-access";
import { findDevbox, pendingOperations } from "@/lib/devboxes/queries";
import { devboxView } from "@/lib/devboxes/view";
import { roleAtLeast } from "@/lib/teams/roles";

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  return { title: `${(await params).name} · terminal` };
}

/** Full-page terminal: the same tabs (and sessions) as on the devbox page, filling the window. */
export default async function DevboxTerminalPage({ params }: { params: Promise<{ team: string; name: string }> }) {
  const { team: slug, name } = await params;
  const { team } = await teamForPage(slug);
  const devbox = await findDevbox(await getDb(), team.id, name);
  if (!devbox || devbox.desiredState === "deleted") notFound();
  const back = (
    <Link href={`/t/${team.slug}/devboxes/${devbox.name}`} className="text-sm text-indigo-600 hover:underline dark:text-indigo-400">
      ← {devbox.name}
    </Link>
  );
  if (!roleAtLeast(team.role, "developer"))
    return (
      <Card title="Terminal">
        <p className="text-sm text-zinc-500">You need the developer role in this team to open a terminal. {back}</p>
      </Card>
    );
  const pending = await pendingOperations(await getDb(), [devbox.id]);
  return (
    <div className="flex h-[calc(100vh-8rem)] min-h-[24rem] flex-col gap-3">
      <LiveTerminalTabs teamSlug={team.slug} initial={devboxView(devbox, pending.get(devbox.id))} back={back} />
    </div>
  );
}
