"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export function TeamTabs({ slug }: { slug: string }) {
  const pathname = usePathname();
  const tabs = [
    { href: `/t/${slug}`, label: "Devboxes" },
    { href: `/t/${slug}/apps`, label: "Apps" },
    { href: `/t/${slug}/usage`, label: "Usage" },
    { href: `/t/${slug}/members`, label: "Members" },
    { href: `/t/${slug}/settings`, label: "Settings" },
    { href: `/t/${slug}/audit`, label: "Audit" },
  ];
  return (
    <nav className="flex flex-wrap gap-1 border-b border-zinc-200 dark:border-zinc-800" aria-label="Team">
      {tabs.map((t) => {
        const active = pathname === t.href;
        return (
          <Link
            key={t.href}
            href={t.href}
            aria-current={active ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${active ? "border-indigo-600 text-indigo-600 dark:text-indigo-400" : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"}`}
          >
            {t.label}
          </Link>
        );
      })}
    </nav>
  );
}
