"use client";

import { useCallback, useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { allPages, apiCall as call } from "@/lib/api/browser-client";
import type { InviteView } from "@/lib/invites/schemas";

/** Invite links of a team: create (role, expiry, uses), list the pending ones, revoke. Owners and admins. */
export function InvitesCard({ team }: { team: string }) {
  const base = `/api/v1/teams/${encodeURIComponent(team)}/invites`;
  const [invites, setInvites] = useState<InviteView[]>([]);
  const [role, setRole] = useState("developer");
  const [hours, setHours] = useState(168);
  const [uses, setUses] = useState(1);
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => setInvites(await allPages<InviteView>(base)), [base]);
  useEffect(() => void load().catch((e) => setError(e.message)), [load]);

  return (
    <Card title="Invite links" description="Anyone who opens one signs in or signs up and joins with its role.">
      <form
        className="flex flex-wrap items-end gap-2 text-sm"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const i = await call<InviteView>("POST", base, { role, expiresInHours: hours, maxUses: uses });
            setCreated(i.url ?? null);
            setError(null);
            await load();
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <label className="flex flex-col gap-1">Role
          <select className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" value={role} onChange={(e) => setRole(e.target.value)} data-testid="invite-role-select">
            <option value="viewer">viewer</option>
            <option value="developer">developer</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <label className="flex flex-col gap-1">Expires in
          <select className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            <option value={24}>1 day</option>
            <option value={168}>7 days</option>
            <option value={720}>30 days</option>
          </select>
        </label>
        <label className="flex flex-col gap-1">Uses
          <input type="number" min={1} max={100} className="w-20 rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" value={uses} onChange={(e) => setUses(Number(e.target.value))} data-testid="invite-uses" />
        </label>
        <Button type="submit" data-testid="invite-create">Create invite link</Button>
      </form>
      {created && (
        <p className="mt-3 break-all text-xs" data-testid="invite-created">
          Copy it now (it is not shown again): <code data-testid="invite-url">{created}</code>
        </p>
      )}
      {error && <p className="mt-2 text-sm text-red-600" role="alert">{error}</p>}
      <h3 className="mt-4 text-sm font-medium">Pending</h3>
      {invites.length === 0 ? (
        <p className="text-sm text-zinc-500">No pending invites.</p>
      ) : (
        <ul className="mt-1 divide-y divide-zinc-200 text-sm dark:divide-zinc-800" data-testid="pending-invites">
          {invites.map((i) => (
            <li key={i.id} className="flex items-center justify-between py-2" data-testid="pending-invite">
              <span>
                <span className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs dark:bg-zinc-800">{i.role}</span>{" "}
                <span className="text-zinc-500">by {i.createdBy ?? "a former member"} · used {i.uses}/{i.maxUses} · expires {new Date(i.expiresAt).toLocaleString()}</span>
              </span>
              <button className="text-xs text-red-600 hover:underline" data-testid="invite-revoke" onClick={async () => (await call("DELETE", `${base}/${i.id}`), await load())}>Revoke</button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
