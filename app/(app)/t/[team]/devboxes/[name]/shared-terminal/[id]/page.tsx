import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { SharedTerminal } from "@/components/terminal/shared-terminal";
import { teamForPage } from "@/lib/authz/page-access";
import { terminalShares } from "@/lib/terminal/shares";

export const metadata: Metadata = { title: "Shared terminal" };

/** A teammate's live terminal shared with the signed-in user (the websocket checks everything again). */
export default async function SharedTerminalPage({ params }: { params: Promise<{ team: string; name: string; id: string }> }) {
  const { team: slug, name, id } = await params;
  const { user, team } = await teamForPage(slug);
  const found = /^[0-9a-f]{32}$/.test(id) ? terminalShares().get(id) : undefined;
  if (!found || found.share.guestId !== user.id || found.share.teamId !== team.id) notFound();
  return (
    <div className="space-y-2">
      <h1 className="text-lg font-semibold">Terminal shared with you on {name}</h1>
      <SharedTerminal teamSlug={team.slug} devboxName={name} shareId={id} mode={found.share.mode} />
    </div>
  );
}
