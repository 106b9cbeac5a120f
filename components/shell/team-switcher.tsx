"use client";

import Link from "next/link";
import { useParams, useRouter } from "next/navigation";

export interface TeamOption {
  slug: string;
  displayName: string;
  role: string;
  personal: boolean;
}

/** A native select: keyboard accessible for free, and it works on phones. */
export function TeamSwitcher({ teams }: { teams: TeamOption[] }) {
  const router = useRouter();
  const params = useParams<{ team?: string }>();
  const current = params.team ?? "";
  return (
    <div className="flex shrink-0 items-center gap-2">
      <label htmlFor="team-switcher" className="sr-only">Team</label>
      <select
        id="team-switcher"
        data-testid="team-switcher"
        value={current}
        onChange={(e) => e.target.value && router.push(`/t/${e.target.value}`)}
        className="max-w-48 rounded-md border border-zinc-300 bg-white py-1.5 pl-2 pr-7 text-sm dark:border-zinc-700 dark:bg-zinc-900"
      >
        {!current && <option value="">Choose a team</option>}
        {teams.map((t) => (
          <option key={t.slug} value={t.slug}>
            {t.displayName}{t.personal ? " (personal)" : ""}
          </option>
        ))}
      </select>
      <Link href="/teams/new" className="whitespace-nowrap rounded-md px-2 py-1.5 text-sm text-indigo-600 hover:bg-zinc-100 dark:text-indigo-400 dark:hover:bg-zinc-800" data-testid="new-team-link">
        + Team
      </Link>
    </div>
  );
}
