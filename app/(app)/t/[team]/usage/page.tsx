import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { TeamUsagePanel } from "@/components/usage/team-usage";
import { teamForPage } from "@/lib/authz/page-access";
import { teamUsage } from "@/lib/usage/service";

export const metadata: Metadata = { title: "Usage" };

/** What the team runs and uses: the same figures as GET /api/v1/teams/{team}/usage. */
export default async function TeamUsagePage({ params }: { params: Promise<{ team: string }> }) {
  const { team } = await teamForPage((await params).team);
  return <TeamUsagePanel team={team.slug} usage={await teamUsage(await getDb(), team)} />;
}
