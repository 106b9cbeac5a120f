import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { Logo } from "./logo";
import { SignOutButton, SignOutEverywhereButton } from "./sign-out-button";
import { TeamSwitcher, type TeamOption } from "./team-switcher";
import { ThemeToggle } from "./theme-toggle";

export function AppShell({
  user,
  teams,
  clusterProblem,
  children,
}: {
  user: { name: string; email: string; isInstanceAdmin: boolean };
  teams: TeamOption[];
  clusterProblem: string | null;
  children: React.ReactNode;
}) {
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="sticky top-0 z-10 border-b border-zinc-200 bg-white/90 backdrop-blur dark:border-zinc-800 dark:bg-zinc-900/90">
        {/* On a phone the account links wrap to a second row instead of pushing the page sideways. */}
        <div className="mx-auto flex min-h-14 max-w-6xl flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 sm:flex-nowrap sm:py-0">
          <Link href="/" className="flex items-center gap-2 font-semibold" aria-label="Devbox home">
            <Logo />
            <span className="hidden sm:inline">Devbox</span>
          </Link>
          <span className="text-zinc-300 dark:text-zinc-700" aria-hidden>/</span>
          <TeamSwitcher teams={teams} />
          {/* From lg on one row: the e-mail shrinks (ellipsis, full in its title) instead of the last
              links wrapping to a second row, which an instance admin's header (one link more) did
              at every desktop width. Below lg the links wrap as before. */}
          <nav className="ml-auto flex min-w-0 flex-wrap items-center gap-1 whitespace-nowrap lg:flex-nowrap" aria-label="Account">
            {user.isInstanceAdmin && (
              <Link href="/admin" className="rounded-md px-2.5 py-1.5 text-sm text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800">
                Admin
              </Link>
            )}
            <Link href="/docs/api" className="rounded-md px-2.5 py-1.5 text-sm text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800" data-testid="api-docs-link">
              API
            </Link>
            <Link href="/settings/tokens" className="rounded-md px-2.5 py-1.5 text-sm text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800">
              Tokens
            </Link>
            <Link href="/settings/ssh-keys" className="rounded-md px-2.5 py-1.5 text-sm text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800">
              SSH keys
            </Link>
            <ThemeToggle />
            <span className="hidden min-w-0 truncate px-2 text-sm text-zinc-500 md:block" title={user.email} data-testid="current-user">{user.email}</span>
            <SignOutButton />
            <SignOutEverywhereButton />
          </nav>
        </div>
      </header>
      {clusterProblem && (
        <div className="mx-auto max-w-6xl px-4 pt-4" data-testid="cluster-banner">
          <Alert tone="warning">
            Kubernetes is unreachable, so devboxes cannot be started or changed right now. Metadata stays browsable. ({clusterProblem})
          </Alert>
        </div>
      )}
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        {children}
      </main>
    </div>
  );
}
