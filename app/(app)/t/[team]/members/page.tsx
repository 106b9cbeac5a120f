import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { Card } from "@/components/ui/card";
import { teamForPage } from "@/lib/authz/page-access";
import { listMembers } from "@/lib/teams/queries";
import { roleAtLeast } from "@/lib/teams/roles";
import { AddMemberForm } from "./add-member-form";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ team: string }> }) {
  const { team } = await teamForPage((await params).team);
  const members = await listMembers(await getDb(), team.id);
  const canManage = roleAtLeast(team.role, "admin");
  return (
    <div className="space-y-6">
      <Card title="Members" description="Owners and admins manage members; developers use devboxes; viewers look.">
        <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="member-list">
          {members.map((m) => (
            <li key={m.userId} className="flex items-center justify-between py-2.5 text-sm">
              <span>
                <span className="font-medium">{m.name}</span> <span className="text-zinc-500">{m.email}</span>
              </span>
              <span className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs dark:bg-zinc-800">{m.role}</span>
            </li>
          ))}
        </ul>
      </Card>
      {canManage && !team.personal && (
        <Card title="Add a member" description="They need an account on this instance.">
          <AddMemberForm slug={team.slug} canAddOwner={team.role === "owner"} />
        </Card>
      )}
    </div>
  );
}
