import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { Card } from "@/components/ui/card";
import { userForPage } from "@/lib/authz/page-access";
import { clusterHealth } from "@/lib/k8s/health";
import { isSignupOpen, maxTeamsPerUser } from "@/lib/settings/instance";
import { TeamLimitForm } from "./team-limit-form";
import { SignupToggle } from "./signup-toggle";
import { AddTemplateForm } from "./add-template-form";
import { listTemplates } from "@/lib/templates/queries";

export const metadata: Metadata = { title: "Administration" };

export default async function AdminPage() {
  const user = await userForPage();
  if (!user.isInstanceAdmin) notFound();
  const db = await getDb();
  const [open, health, templates, maxTeams] = await Promise.all([isSignupOpen(db), clusterHealth(), listTemplates(db), maxTeamsPerUser(db)]);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Administration</h1>
      <Card title="Sign-up" description="When closed, only administrators (or DEVBOX_ADMIN_EMAIL seeding) create accounts.">
        <SignupToggle open={open} />
      </Card>
      <Card title="Limits" description="How many teams each user may own besides their personal one (each team gets its own quota).">
        <TeamLimitForm current={maxTeams} />
      </Card>
      <Card title="Runtime templates" description="What developers pick from when they create a devbox.">
        <ul className="mb-4 divide-y divide-zinc-200 text-sm dark:divide-zinc-800" data-testid="template-list">
          {templates.map((t) => (
            <li key={t.id} className="flex items-baseline justify-between gap-3 py-2">
              <span><span aria-hidden>{t.icon}</span> <span className="font-medium">{t.displayName}</span> <span className="text-zinc-500">{t.name}</span></span>
              <code className="truncate text-xs text-zinc-500">{t.image}</code>
            </li>
          ))}
        </ul>
        <AddTemplateForm />
      </Card>
      <Card title="Kubernetes">
        <p className="text-sm" data-testid="cluster-status">
          {health.reachable ? `Connected (${health.version})` : `Unreachable: ${health.error}`}
        </p>
      </Card>
    </div>
  );
}
