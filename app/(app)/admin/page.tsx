import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { Card } from "@/components/ui/card";
import { requireUser } from "@/lib/auth/session";
import { clusterHealth } from "@/lib/k8s/health";
import { isSignupOpen } from "@/lib/settings/instance";
import { SignupToggle } from "./signup-toggle";

export const metadata: Metadata = { title: "Administration" };

export default async function AdminPage() {
  const user = await requireUser();
  if (!user.isInstanceAdmin) notFound();
  const [open, health] = await Promise.all([isSignupOpen(await getDb()), clusterHealth()]);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Administration</h1>
      <Card title="Sign-up" description="When closed, only administrators (or DEVBOX_ADMIN_EMAIL seeding) create accounts.">
        <SignupToggle open={open} />
      </Card>
      <Card title="Kubernetes">
        <p className="text-sm" data-testid="cluster-status">
          {health.reachable ? `Connected (${health.version})` : `Unreachable: ${health.error}`}
        </p>
      </Card>
    </div>
  );
}
