import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { Card } from "@/components/ui/card";
import { currentUser } from "@/lib/auth/session";
import { teamForPage } from "@/lib/authz/page-access";
import { listMembers } from "@/lib/teams/queries";
import { roleAtLeast } from "@/lib/teams/roles";
import { InvitesCard } from "@/components/invites/invites-card";
import { AddMemberForm } from "./add-member-form";
import { RemoveMemberButton } from "./remove-member-button";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ team: string }> }) {
  const { team } = await teamForPage((await params).team);
  const members = await listMembers(await getDb(), team.id);
  const canManage = roleAtLeast(team.role, "admin");
  const me = await currentUser();
  // Admins remove developers and viewers, owners anyone; anybody may leave. The server checks again.
  const canRemove = (m: { userId: string; role: string }) =>
    !team.personal && (m.userId === me?.id || team.role === "owner" || (canManage && !["owner", "admin"].includes(m.role)));
  return (
    <div className="space-y-6">
      <Card title="Members" description="Owners and admins manage members; developers use devboxes; viewers look.">
        <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="member-list">
          {members.map((m) => (
            <li key={m.userId} className="flex items-center justify-between py-2.5 text-sm">
              <span>
                <span className="font-medium">{m.name}</span> <span className="text-zinc-500">{m.email}</span>
              </span>
              <span className="flex items-center gap-2">
                <span className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs dark:bg-zinc-800">{m.role}</span>
                {canRemove(m) && <RemoveMemberButton slug={team.slug} userId={m.userId} name={m.name} self={m.userId === me?.id} />}
              </span>
            </li>
          ))}
        </ul>
      </Card>
      {canManage && !team.personal && (
        <Card title="Add a member" description="They need an account on this instance.">
          <AddMemberForm slug={team.slug} canAddOwner={team.role === "owner"} />
        </Card>
      )}
      {canManage && !team.personal && <InvitesCard team={team.slug} />}
      {team.personal && (
        // Without this the page offers nothing and says nothing: the server's refusal (a personal
        // team cannot have members) was the only place a new user could learn it.
        <Card title="Working with others" description="This is your personal team: it has only you.">
          <p className="text-sm" data-testid="personal-team-members-hint">
            To invite people, <Link href="/teams/new" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">create a team</Link>{" "}
            and add them, or send them an invite link, from its Members page.
          </p>
        </Card>
      )}
    </div>
  );
}
