"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { api } from "@/components/releases/api";
import type { AppView } from "@/lib/apps/view";
import { AppStateBadge } from "./app-state";

/** The team's apps, refreshed every 2 s from the API (which reads the cluster's watch, not Kubernetes). */
export function AppList({ teamSlug, initial }: { teamSlug: string; initial: AppView[] }) {
  const [apps, setApps] = useState(initial);
  useEffect(() => {
    const t = setInterval(() => void api.apps(teamSlug).then(setApps).catch(() => {}), 2000);
    return () => clearInterval(t);
  }, [teamSlug]);
  if (apps.length === 0) return <p className="text-sm text-zinc-500">No apps yet. Deploy one from a devbox&apos;s Releases page.</p>;
  return (
    <table className="w-full text-sm" data-testid="apps">
      <thead className="text-left text-xs text-zinc-500">
        <tr><th className="py-2">App</th><th>Release</th><th>Replicas</th><th>State</th></tr>
      </thead>
      <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
        {apps.map((a) => (
          <tr key={a.name} data-testid={`app-${a.name}`}>
            <td className="py-2"><Link className="font-medium text-indigo-600 hover:underline" href={`/t/${teamSlug}/apps/${a.name}`}>{a.name}</Link></td>
            <td className="font-mono">{a.release?.tag ?? "?"}</td>
            <td>{a.status.ready}/{a.replicas} ready</td>
            <td><AppStateBadge state={a.status.state} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
