import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { Card } from "@/components/ui/card";
import { listAuditPage } from "@/lib/audit/queries";
import { teamForPage } from "@/lib/authz/page-access";
import { listTeamDevboxes } from "@/lib/devboxes/queries";
import { listMembers } from "@/lib/teams/queries";

export const metadata: Metadata = { title: "Audit" };

// Kinds offered in the filter: action prefixes (an event "share_link.revoked" is of kind "share_link").
const KINDS = [
  ["", "All kinds"],
  ["preview", "Preview levels and sign-ins"],
  ["share_link", "Share links"],
  ["team.invite", "Invite links"],
  ["terminal.share", "Shared terminals"],
  ["team.member", "Members"],
  ["devbox", "Devboxes"],
] as const;

/** The team's audit trail for owners and admins: every grant, use and revocation, filterable. */
export default async function AuditPage({ params, searchParams }: { params: Promise<{ team: string }>; searchParams: Promise<{ devbox?: string; user?: string; kind?: string }> }) {
  const { team } = await teamForPage((await params).team, "admin");
  const f = await searchParams;
  const db = await getDb();
  const [boxes, members] = await Promise.all([listTeamDevboxes(db, team.id), listMembers(db, team.id)]);
  const box = boxes.find((b) => b.name === f.devbox);
  const events = await listAuditPage(db, team.id, { devbox: f.devbox || undefined, devboxId: box?.id, userId: f.user || undefined, kind: f.kind || undefined });
  const select = "rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900";
  return (
    <Card title="Audit log" description="Who granted, used and revoked access in this team (newest first, up to 200).">
      <form className="mb-4 flex flex-wrap items-end gap-2" method="get" data-testid="audit-filters">
        <select name="devbox" defaultValue={f.devbox ?? ""} className={select} aria-label="Devbox">
          <option value="">All devboxes</option>
          {boxes.map((b) => <option key={b.id} value={b.name}>{b.name}</option>)}
        </select>
        <select name="user" defaultValue={f.user ?? ""} className={select} aria-label="User">
          <option value="">Everyone</option>
          {members.map((m) => <option key={m.userId} value={m.userId}>{m.email}</option>)}
        </select>
        <select name="kind" defaultValue={f.kind ?? ""} className={select} aria-label="Kind">
          {KINDS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
        </select>
        <button className="rounded-md border border-zinc-300 px-3 py-1 text-sm dark:border-zinc-700" type="submit">Filter</button>
      </form>
      {events.length === 0 ? (
        <p className="text-sm text-zinc-500">No events.</p>
      ) : (
        <table className="w-full text-left text-sm" data-testid="audit-events">
          <thead className="text-xs text-zinc-500">
            <tr><th className="py-1">When (UTC)</th><th>Who</th><th>What</th><th>On</th><th>Details</th></tr>
          </thead>
          <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {events.map((e) => (
              <tr key={e.id} data-testid="audit-event" data-action={e.action}>
                <td className="py-1.5 pr-3 whitespace-nowrap">{e.at.toISOString().replace("T", " ").slice(0, 19)}</td>
                <td className="pr-3">{e.actorEmail ?? (e.actorId ? "a former member" : "anonymous")}</td>
                <td className="pr-3 font-medium">{e.action}</td>
                <td className="pr-3">{e.target}</td>
                <td className="text-xs text-zinc-500 break-all">{JSON.stringify(e.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
